// The sales chart's data: one point per period from `from` to `to`, in the report's own periods (UTC days, ISO
// weeks starting Monday, calendar months, as the core cuts them). The report lists only periods that had events;
// the others are shown as zero. Amounts stay the API's decimal strings for every label; a bar's height is the only
// use of a number, and nothing computed from it is shown as money.
import type { Money } from "@nite/client";
import type { SalesReport } from "./api";

export type Granularity = "day" | "week" | "month";

/** One bar. */
export interface ChartPoint {
  /** The period's first day, `2026-11-30`. */
  start: string;
  /** The period in words: `Nov 30`, `Week of Nov 30`, `Nov 2026`. */
  label: string;
  revenue: Money;
  orders: number;
  /** The bar's height, 0 to 1 of the tallest. */
  height: number;
}

const DAY = 86_400_000;

/** `2026-11-30` of a UTC date. */
function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** The first day of the period holding `date` (UTC). */
export function periodStart(date: Date, granularity: Granularity): Date {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  if (granularity === "day") return day;
  if (granularity === "week") return new Date(day.getTime() - ((day.getUTCDay() + 6) % 7) * DAY);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), 1));
}

/** The first day of the period after the one starting at `start`. */
function next(start: Date, granularity: Granularity): Date {
  if (granularity === "day") return new Date(start.getTime() + DAY);
  if (granularity === "week") return new Date(start.getTime() + 7 * DAY);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** Every period start from the one holding `from` to the one holding `to`. */
export function periodStarts(from: Date, to: Date, granularity: Granularity): string[] {
  const starts: string[] = [];
  for (let at = periodStart(from, granularity); at.getTime() <= to.getTime() && starts.length < 1000; ) {
    starts.push(iso(at));
    at = next(at, granularity);
  }
  return starts;
}

const dayFormat = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const monthFormat = new Intl.DateTimeFormat("en-US", { month: "short", year: "numeric", timeZone: "UTC" });

function label(start: string, granularity: Granularity): string {
  const date = new Date(`${start}T00:00:00Z`);
  if (granularity === "month") return monthFormat.format(date);
  return granularity === "week" ? `Week of ${dayFormat.format(date)}` : dayFormat.format(date);
}

/** The chart's points for `report`, asked for from `from` to `to`. */
export function chartPoints(report: SalesReport, from: Date, to: Date): ChartPoint[] {
  const granularity: Granularity = report.granularity;
  const byStart = new Map(report.periods.map((p) => [p.start, p]));
  const zero: Money = { amount: "0", currency: report.currency };
  const points = periodStarts(from, to, granularity).map((start) => {
    const period = byStart.get(start);
    return {
      start,
      label: label(start, granularity),
      revenue: period?.revenue ?? zero,
      orders: period?.orders ?? 0,
      height: 0,
    };
  });
  // Heights only: the largest revenue is the full bar; refunds beyond sales (a negative net) show as no bar.
  const values = points.map((p) => Math.max(0, Number(p.revenue.amount)));
  const top = Math.max(0, ...values);
  return points.map((p, i) => ({ ...p, height: top > 0 ? (values[i] ?? 0) / top : 0 }));
}
