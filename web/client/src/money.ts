// Money is shown exactly as the API returns it: a decimal string and a currency. Nothing here adds, multiplies or
// rounds an amount; the formatter receives the decimal string itself (Intl formats strings without going through
// a float).
import type { Money } from "./index";

const formatters = new Map<string, Intl.NumberFormat>();

function formatter(currency: string): Intl.NumberFormat {
  let f = formatters.get(currency);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { style: "currency", currency });
    formatters.set(currency, f);
  }
  return f;
}

/** `{"amount": "1234.50", "currency": "USD"}` → `$1,234.50`. */
export function formatMoney(money: Money): string {
  return formatter(money.currency).format(money.amount as Intl.StringNumericLiteral);
}

/** Whether an amount is zero (by its digits, not by a float). */
export function isZero(money: Money): boolean {
  return /^-?0*(\.0*)?$/.test(money.amount);
}

/**
 * Orders two decimal strings exactly (for sorting by price): by sign, then integer digits, then fraction digits.
 * Never converts to a float.
 */
export function compareAmounts(a: string, b: string): number {
  const negA = a.startsWith("-");
  const negB = b.startsWith("-");
  if (negA !== negB) return negA ? -1 : 1;
  const sign = negA ? -1 : 1;
  const [ia = "", fa = ""] = a.replace("-", "").split(".");
  const [ib = "", fb = ""] = b.replace("-", "").split(".");
  const intA = ia.replace(/^0+/, "");
  const intB = ib.replace(/^0+/, "");
  if (intA.length !== intB.length) return sign * (intA.length - intB.length);
  if (intA !== intB) return sign * (intA < intB ? -1 : 1);
  const width = Math.max(fa.length, fb.length);
  const fracA = fa.padEnd(width, "0");
  const fracB = fb.padEnd(width, "0");
  if (fracA === fracB) return 0;
  return sign * (fracA < fracB ? -1 : 1);
}
