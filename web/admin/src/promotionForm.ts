// The promotion editor's form and the API's draft, both ways. Every action and condition the core supports has its
// fields; amounts stay decimal strings and are validated by the API, which says which field is wrong.
import type { Promotion, PromotionDraft } from "./api";

export type ActionType = Promotion["action"]["type"];
export type ConditionType = NonNullable<Promotion["conditions"]>[number]["type"];
export type TargetBy = "products" | "categories" | "skus";

export interface TargetForm {
  by: TargetBy;
  /** Comma separated. */
  values: string;
}

export interface ConditionForm {
  type: ConditionType;
  amount: string;
  quantity: string;
  /** For `min_quantity`: which lines count; `any` for all of them. */
  targetBy: TargetBy | "any";
  targetValues: string;
  groups: string;
}

export interface PromotionForm {
  name: string;
  code: string;
  enabled: boolean;
  priority: string;
  exclusive: boolean;
  combines: { order: boolean; product: boolean; shipping: boolean };
  /** `2026-12-24T00:00`, in UTC; empty for none. */
  starts: string;
  ends: string;
  usageLimit: string;
  perCustomer: string;
  action: {
    type: ActionType;
    percentage: string;
    amount: string;
    target: TargetForm;
    buy: TargetForm;
    buyQuantity: string;
    get: TargetForm;
    getQuantity: string;
    maxApplications: string;
  };
  conditions: ConditionForm[];
}

export const actionNames: Record<ActionType, string> = {
  order_percentage: "Percentage off the order",
  order_amount: "Amount off the order",
  items_percentage: "Percentage off some items",
  items_amount: "Amount off each unit of some items",
  free_shipping: "Free shipping",
  buy_x_get_y: "Buy X, get Y",
};

export const conditionNames: Record<ConditionType, string> = {
  min_subtotal: "Minimum subtotal",
  min_quantity: "Minimum number of units",
  first_order: "First order only",
  customer_groups: "Customer groups",
};

const noTarget = (): TargetForm => ({ by: "categories", values: "" });

export function emptyCondition(type: ConditionType): ConditionForm {
  return { type, amount: "", quantity: "1", targetBy: "any", targetValues: "", groups: "" };
}

export function emptyPromotion(): PromotionForm {
  return {
    name: "",
    code: "",
    enabled: true,
    priority: "100",
    exclusive: false,
    combines: { order: true, product: true, shipping: true },
    starts: "",
    ends: "",
    usageLimit: "",
    perCustomer: "",
    action: {
      type: "order_percentage",
      percentage: "10",
      amount: "",
      target: noTarget(),
      buy: noTarget(),
      buyQuantity: "2",
      get: noTarget(),
      getQuantity: "1",
      maxApplications: "",
    },
    conditions: [],
  };
}

const list = (values: string) =>
  values
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean);

type Target = Extract<Promotion["action"], { type: "items_percentage" }>["target"];

function target(t: TargetForm): Target {
  return { by: t.by, values: list(t.values) };
}

function targetForm(t: Target): TargetForm {
  return { by: t.by, values: t.values.join(", ") };
}

/** `2026-12-24T00:00` (UTC) → RFC 3339. */
function instant(local: string): string | null {
  return local ? `${local}:00Z` : null;
}

/** RFC 3339 → `2026-12-24T00:00` in UTC. */
function local(at: string | null | undefined): string {
  return at ? new Date(at).toISOString().slice(0, 16) : "";
}

const whole = (n: string) => (n.trim() === "" ? null : Number(n));

/** The draft the API takes. */
export function draftOf(form: PromotionForm, currency: string): PromotionDraft {
  const money = (amount: string) => ({ amount: amount.trim(), currency });
  const a = form.action;
  let action: PromotionDraft["action"];
  switch (a.type) {
    case "order_percentage":
      action = { type: a.type, percentage: a.percentage.trim() };
      break;
    case "order_amount":
      action = { type: a.type, amount: money(a.amount) };
      break;
    case "items_percentage":
      action = { type: a.type, percentage: a.percentage.trim(), target: target(a.target) };
      break;
    case "items_amount":
      action = { type: a.type, amount_per_unit: money(a.amount), target: target(a.target) };
      break;
    case "free_shipping":
      action = { type: a.type };
      break;
    case "buy_x_get_y":
      action = {
        type: a.type,
        buy: target(a.buy),
        buy_quantity: Number(a.buyQuantity),
        get: target(a.get),
        get_quantity: Number(a.getQuantity),
        percentage: a.percentage.trim(),
        max_applications: whole(a.maxApplications),
      };
      break;
  }
  const conditions = form.conditions.map((c): NonNullable<PromotionDraft["conditions"]>[number] => {
    switch (c.type) {
      case "min_subtotal":
        return { type: c.type, amount: money(c.amount) };
      case "min_quantity":
        return {
          type: c.type,
          quantity: Number(c.quantity),
          target: c.targetBy === "any" ? null : target({ by: c.targetBy, values: c.targetValues }),
        };
      case "first_order":
        return { type: c.type };
      case "customer_groups":
        return { type: c.type, groups: list(c.groups) };
    }
  });
  return {
    name: form.name,
    code: form.code.trim() || null,
    action,
    conditions,
    enabled: form.enabled,
    starts_at: instant(form.starts),
    ends_at: instant(form.ends),
    usage_limit: whole(form.usageLimit),
    usage_limit_per_customer: whole(form.perCustomer),
    priority: Number(form.priority || "100"),
    exclusive: form.exclusive,
    combines_with: form.combines,
  };
}

/** The form of a stored promotion. */
export function formOf(p: Promotion): PromotionForm {
  const form = emptyPromotion();
  const a = p.action;
  const action = { ...form.action, type: a.type };
  switch (a.type) {
    case "order_percentage":
      action.percentage = a.percentage;
      break;
    case "order_amount":
      action.amount = a.amount.amount;
      break;
    case "items_percentage":
      action.percentage = a.percentage;
      action.target = targetForm(a.target);
      break;
    case "items_amount":
      action.amount = a.amount_per_unit.amount;
      action.target = targetForm(a.target);
      break;
    case "free_shipping":
      break;
    case "buy_x_get_y":
      action.buy = targetForm(a.buy);
      action.buyQuantity = String(a.buy_quantity);
      action.get = targetForm(a.get);
      action.getQuantity = String(a.get_quantity);
      action.percentage = a.percentage;
      action.maxApplications = a.max_applications == null ? "" : String(a.max_applications);
      break;
  }
  return {
    name: p.name ?? "",
    code: p.code ?? "",
    enabled: p.enabled ?? true,
    priority: String(p.priority ?? 100),
    exclusive: p.exclusive ?? false,
    combines: p.combines_with ?? form.combines,
    starts: local(p.starts_at),
    ends: local(p.ends_at),
    usageLimit: p.usage_limit == null ? "" : String(p.usage_limit),
    perCustomer: p.usage_limit_per_customer == null ? "" : String(p.usage_limit_per_customer),
    action,
    conditions: (p.conditions ?? []).map((c) => {
      const empty = emptyCondition(c.type);
      switch (c.type) {
        case "min_subtotal":
          return { ...empty, amount: c.amount.amount };
        case "min_quantity":
          return {
            ...empty,
            quantity: String(c.quantity),
            targetBy: c.target ? c.target.by : "any",
            targetValues: c.target ? c.target.values.join(", ") : "",
          };
        case "first_order":
          return empty;
        case "customer_groups":
          return { ...empty, groups: c.groups.join(", ") };
      }
    }),
  };
}
