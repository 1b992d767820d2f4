import { describe, expect, it } from "vitest";
import { compareAmounts, formatMoney, isZero } from "./money";

describe("money display", () => {
  it("formats the API's decimal string exactly, without a float", () => {
    expect(formatMoney({ amount: "49.99", currency: "USD" })).toBe("$49.99");
    expect(formatMoney({ amount: "1234.50", currency: "USD" })).toBe("$1,234.50");
    // Beyond a double's 15–17 significant digits: a float would round these.
    expect(formatMoney({ amount: "90071992547409.93", currency: "USD" })).toBe("$90,071,992,547,409.93");
    expect(formatMoney({ amount: "0.10", currency: "USD" })).toBe("$0.10");
    expect(formatMoney({ amount: "-5.00", currency: "USD" })).toBe("-$5.00");
    expect(formatMoney({ amount: "1000", currency: "JPY" })).toBe("¥1,000");
  });

  it("knows zero by its digits", () => {
    expect(isZero({ amount: "0.00", currency: "USD" })).toBe(true);
    expect(isZero({ amount: "0", currency: "USD" })).toBe(true);
    expect(isZero({ amount: "0.01", currency: "USD" })).toBe(false);
  });

  it("orders amounts exactly", () => {
    const sorted = ["109.99", "9.99", "89.99", "0.50", "100", "-1.00", "89.990", "179.99"].sort(compareAmounts);
    expect(sorted).toEqual(["-1.00", "0.50", "9.99", "89.99", "89.990", "100", "109.99", "179.99"]);
    expect(compareAmounts("89.99", "89.990")).toBe(0);
    expect(compareAmounts("-2", "-10")).toBeGreaterThan(0);
    expect(compareAmounts("90071992547409.93", "90071992547409.92")).toBeGreaterThan(0);
  });
});
