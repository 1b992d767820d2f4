import { describe, expect, it } from "vitest";
import type { SalesReport } from "./api";
import { chartPoints, periodStart, periodStarts } from "./chart";

const usd = (amount: string) => ({ amount, currency: "USD" });

function period(start: string, revenue: string, orders: number) {
  return {
    start,
    revenue: usd(revenue),
    gross_revenue: usd(revenue),
    refunded: usd("0.00"),
    orders,
    cancelled_orders: 0,
    refunds: 0,
    average_order_value: usd("0.00"),
    units: orders,
    product_views: 0,
    visitors: 0,
    products: [],
  };
}

describe("the sales chart's data", () => {
  it("cuts periods as the core does: UTC days, ISO weeks from Monday, calendar months", () => {
    // 2026-12-03 is a Thursday.
    const at = new Date("2026-12-03T23:30:00Z");
    expect(periodStart(at, "day").toISOString()).toBe("2026-12-03T00:00:00.000Z");
    expect(periodStart(at, "week").toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(periodStart(new Date("2026-11-30T00:00:00Z"), "week").toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(periodStart(new Date("2026-12-06T12:00:00Z"), "week").toISOString()).toBe("2026-11-30T00:00:00.000Z");
    expect(periodStart(at, "month").toISOString()).toBe("2026-12-01T00:00:00.000Z");
    expect(periodStarts(new Date("2026-10-15T00:00:00Z"), at, "month")).toEqual(["2026-10-01", "2026-11-01", "2026-12-01"]);
    expect(periodStarts(new Date("2026-11-29T00:00:00Z"), at, "week")).toEqual(["2026-11-23", "2026-11-30"]);
  });

  it("shows every period, the ones without sales as zero, with the API's amounts untouched", () => {
    const report: SalesReport = {
      currency: "USD",
      granularity: "day",
      periods: [period("2026-12-01", "1234.56", 3), period("2026-12-03", "617.28", 1)],
    };
    const points = chartPoints(report, new Date("2026-11-30T10:00:00Z"), new Date("2026-12-03T10:00:00Z"));
    expect(points.map((p) => p.start)).toEqual(["2026-11-30", "2026-12-01", "2026-12-02", "2026-12-03"]);
    expect(points.map((p) => p.revenue.amount)).toEqual(["0", "1234.56", "0", "617.28"]);
    expect(points.map((p) => p.orders)).toEqual([0, 3, 0, 1]);
    expect(points.map((p) => p.height)).toEqual([0, 1, 0, 0.5]);
    expect(points[1]?.label).toBe("Dec 1");
  });

  it("labels weeks and months, and draws no bar for a net refund or an empty report", () => {
    const weeks: SalesReport = { currency: "USD", granularity: "week", periods: [period("2026-11-23", "-20.00", 0)] };
    const points = chartPoints(weeks, new Date("2026-11-24T00:00:00Z"), new Date("2026-12-03T00:00:00Z"));
    expect(points.map((p) => [p.label, p.height])).toEqual([
      ["Week of Nov 23", 0],
      ["Week of Nov 30", 0],
    ]);
    const months: SalesReport = { currency: "EUR", granularity: "month", periods: [] };
    const empty = chartPoints(months, new Date("2026-11-02T00:00:00Z"), new Date("2026-12-03T00:00:00Z"));
    expect(empty.map((p) => [p.label, p.revenue])).toEqual([
      ["Nov 2026", { amount: "0", currency: "EUR" }],
      ["Dec 2026", { amount: "0", currency: "EUR" }],
    ]);
  });
});
