// Why a discount code did not apply, in words: one sentence per stable reason code of the API.
const reasons: Record<string, string> = {
  code_unknown: "We don't know this code. Check the spelling.",
  disabled: "This code is no longer active.",
  not_started: "This code isn't valid yet.",
  expired: "This code has expired.",
  usage_limit_reached: "This code has been used up.",
  customer_usage_limit_reached: "You have already used this code as often as allowed.",
  currency_mismatch: "This code is for another currency.",
  min_subtotal_not_met: "Your order is below this code's minimum amount.",
  min_quantity_not_met: "Your cart has fewer items than this code needs.",
  not_first_order: "This code is for first orders only.",
  customer_group_mismatch: "This code is for other customers.",
  not_combinable: "This code can't be combined with a discount already applied.",
  no_matching_items: "None of the items in your cart qualify for this code.",
  shipping_not_selected: "This code discounts shipping: it applies once you choose a shipping option.",
  nothing_to_discount: "There is nothing left for this code to discount.",
  misconfigured: "This code can't be used right now.",
};

/** The sentence for a reason code; unknown codes still get a sentence. */
export function why(code: string | null | undefined): string {
  if (!code) return "This code does not apply to your cart.";
  return reasons[code] ?? "This code does not apply to your cart.";
}

/** Every reason code with a sentence (for tests). */
export const knownReasons = Object.keys(reasons);
