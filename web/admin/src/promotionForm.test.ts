import { describe, expect, it } from "vitest";
import type { Promotion } from "./api";
import { actionNames, conditionNames, draftOf, emptyCondition, emptyPromotion, formOf, type ActionType, type ConditionType } from "./promotionForm";

/** A form with every field of `type` filled in. */
function filled(type: ActionType) {
  const form = emptyPromotion();
  form.name = `Every ${type}`;
  form.code = "EVERY";
  form.priority = "7";
  form.exclusive = true;
  form.combines = { order: false, product: true, shipping: false };
  form.starts = "2026-12-24T00:00";
  form.ends = "2026-12-31T23:30";
  form.usageLimit = "100";
  form.perCustomer = "1";
  const a = form.action;
  a.type = type;
  if (type.includes("percentage") || type === "buy_x_get_y") a.percentage = "12.5";
  if (type.includes("amount")) a.amount = "5.00";
  if (type.startsWith("items")) a.target = { by: "skus", values: "NP-PRO-GRN, NP-PRO-RGB" };
  if (type === "buy_x_get_y") {
    a.buy = { by: "categories", values: "pro" };
    a.buyQuantity = "2";
    a.get = { by: "products", values: "prod_basic" };
    a.getQuantity = "1";
    a.maxApplications = "3";
  }
  form.conditions = (Object.keys(conditionNames) as ConditionType[]).map((c) => {
    const condition = emptyCondition(c);
    if (c === "min_subtotal") condition.amount = "75.00";
    if (c === "min_quantity") Object.assign(condition, { quantity: "2", targetBy: "categories", targetValues: "pro" });
    if (c === "customer_groups") condition.groups = "vip, wholesale";
    return condition;
  });
  return form;
}

/** The fields of the form that the action of `type` uses, so a round trip can be compared. */
function used(form: ReturnType<typeof emptyPromotion>) {
  const { type, percentage, amount, target, buy, buyQuantity, get, getQuantity, maxApplications } = form.action;
  const keep: Record<ActionType, unknown[]> = {
    order_percentage: [percentage],
    order_amount: [amount],
    items_percentage: [percentage, target],
    items_amount: [amount, target],
    free_shipping: [],
    buy_x_get_y: [percentage, buy, buyQuantity, get, getQuantity, maxApplications],
  };
  return { ...form, action: [type, ...keep[type]] };
}

describe("the promotion form", () => {
  for (const type of Object.keys(actionNames) as ActionType[]) {
    it(`writes and reads back ${type} with every condition`, () => {
      const form = filled(type);
      const draft = draftOf(form, "USD");
      expect(draft.action.type).toBe(type);
      expect(draft.conditions).toHaveLength(4);
      expect(draft.starts_at).toBe("2026-12-24T00:00:00Z");
      // What the API answers is the draft with an id; reading it back gives the same form.
      const stored = { ...draft, id: "promo_1" } as Promotion;
      expect(used(formOf(stored))).toEqual(used(form));
    });
  }

  it("sends amounts as typed, in the shop's currency, and leaves empty limits out", () => {
    const form = emptyPromotion();
    form.action.type = "order_amount";
    form.action.amount = " 10.005 ";
    const draft = draftOf(form, "EUR");
    expect(draft.action).toEqual({ type: "order_amount", amount: { amount: "10.005", currency: "EUR" } });
    expect([draft.code, draft.usage_limit, draft.starts_at]).toEqual([null, null, null]);
  });
});
