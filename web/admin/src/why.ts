// Why a promotion did not apply to a sample cart, in an operator's words: one sentence per stable reason code.
const reasons: Record<string, string> = {
  code_unknown: "No promotion has this code.",
  disabled: "It is switched off.",
  not_started: "Its start date is still ahead.",
  expired: "Its end date has passed.",
  usage_limit_reached: "It has been used as often as its limit allows.",
  customer_usage_limit_reached: "This customer has used it as often as allowed.",
  currency_mismatch: "Its amounts are in another currency than the cart.",
  min_subtotal_not_met: "The cart's subtotal is below its minimum.",
  min_quantity_not_met: "The cart has fewer units than it needs.",
  not_first_order: "It is for first orders only, and this buyer has ordered before.",
  customer_group_mismatch: "It is for another customer group.",
  not_combinable: "It cannot be combined with a promotion applied before it.",
  no_matching_items: "No line of the cart is one it targets.",
  shipping_not_selected: "It discounts shipping, and the cart has no shipping charge.",
  nothing_to_discount: "Earlier promotions left nothing for it to discount.",
  misconfigured: "Its terms cannot be applied as written.",
};

/** The sentence for a reason code; unknown codes still get a sentence. */
export function why(code: string | null | undefined): string {
  return (code && reasons[code]) || "It does not apply to this cart.";
}

/** Every reason code with a sentence (for tests). */
export const knownReasons = Object.keys(reasons);
