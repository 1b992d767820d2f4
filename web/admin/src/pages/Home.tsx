import { formatMoney, type Money } from "@nite/client";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap, type SalesReport } from "../api";
import { chartPoints, periodStart, type ChartPoint, type Granularity } from "../chart";
import { PageTitle, Problem, When } from "../components/ui";
import { useLoad } from "../hooks";

const DAY = 86_400_000;

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}

async function report(from: string, granularity: Granularity): Promise<SalesReport> {
  return unwrap(await api.GET("/api/v1/admin/analytics/sales", { params: { query: { from, granularity } } }));
}

/** The figures of one period, or zeros when it had no sales. */
function Figures({ title, report }: { title: string; report: SalesReport | undefined }) {
  const period = report?.periods.at(-1);
  const zero: Money = { amount: "0", currency: report?.currency ?? "USD" };
  const figures: [string, string][] = [
    ["Revenue", formatMoney(period?.revenue ?? zero)],
    ["Orders", String(period?.orders ?? 0)],
    ["Average order", formatMoney(period?.average_order_value ?? zero)],
    ["Conversion", period?.conversion_percent ? `${period.conversion_percent} %` : "no views yet"],
  ];
  return (
    <section aria-labelledby={`figures-${title}`} className="rounded border border-night-700 bg-night-900 p-4">
      <h2 id={`figures-${title}`} className="mb-3 font-semibold text-white">
        {title}
      </h2>
      <dl className="grid grid-cols-2 gap-3">
        {figures.map(([name, value]) => (
          <div key={name} data-testid={`${title}-${name}`.toLowerCase().replaceAll(" ", "-")}>
            <dt className="text-sm text-gray-300">{name}</dt>
            <dd className="text-xl font-bold text-white">{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

const ranges: [number, string][] = [
  [7, "Last 7 days"],
  [30, "Last 30 days"],
  [90, "Last 90 days"],
  [365, "Last 12 months"],
];

/** Revenue per period as bars, with the figures as a table for screen readers and exact reading. */
function Chart({ points }: { points: ChartPoint[] }) {
  const width = 720;
  const height = 200;
  const gap = points.length > 60 ? 0 : 2;
  const bar = points.length > 0 ? width / points.length : width;
  return (
    <figure>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`Revenue in ${points.length} periods; the figures are in the table below`}
        className="h-48 w-full rounded bg-night-900"
        preserveAspectRatio="none"
      >
        {points.map((p, i) => {
          const h = Math.max(p.height * (height - 10), p.orders > 0 ? 2 : 0);
          return (
            <rect
              key={p.start}
              x={i * bar + gap / 2}
              y={height - h}
              width={Math.max(bar - gap, 1)}
              height={h}
              className="fill-glow-400"
            >
              <title>{`${p.label}: ${formatMoney(p.revenue)}, ${p.orders} orders`}</title>
            </rect>
          );
        })}
      </svg>
      <figcaption className="mt-2">
        <details>
          <summary className="cursor-pointer text-sm text-gray-200">The figures</summary>
          <table className="mt-2 w-full text-left text-sm">
            <caption className="sr-only">Revenue and orders per period</caption>
            <thead>
              <tr>
                <th scope="col">Period</th>
                <th scope="col">Revenue</th>
                <th scope="col">Orders</th>
              </tr>
            </thead>
            <tbody>
              {points.map((p) => (
                <tr key={p.start} className="border-t border-night-800">
                  <th scope="row" className="font-normal">
                    {p.label}
                  </th>
                  <td>{formatMoney(p.revenue)}</td>
                  <td>{p.orders}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figcaption>
    </figure>
  );
}

/** Today and this month, the revenue chart, and what needs attention. */
export function Home() {
  const [now] = useState(() => new Date());
  const [days, setDays] = useState(30);
  const [granularity, setGranularity] = useState<Granularity>("day");
  const today = useLoad(() => report(day(now), "day"), [now]);
  const month = useLoad(() => report(day(periodStart(now, "month")), "month"), [now]);
  const from = new Date(now.getTime() - (days - 1) * DAY);
  const chart = useLoad(() => report(day(from), granularity), [days, granularity, now]);
  const awaiting = useLoad(
    async () => unwrap(await api.GET("/api/v1/admin/orders", { params: { query: { status: "paid", limit: 10 } } })),
    [],
  );
  const stock = useLoad(async () => unwrap(await api.GET("/api/v1/admin/inventory")), []);
  const outbox = useLoad(async () => unwrap(await api.GET("/api/v1/admin/outbox")), []);
  const low = stock.data?.data.filter((s) => s.low) ?? [];
  const points = chart.data ? chartPoints(chart.data, from, now) : [];
  return (
    <>
      <PageTitle>Home</PageTitle>
      <Problem>{today.error ?? month.error}</Problem>
      <div className="grid gap-4 md:grid-cols-2">
        <Figures title="Today" report={today.data} />
        <Figures title="This month" report={month.data} />
      </div>
      <section aria-labelledby="chart-title" className="mt-6 rounded border border-night-700 p-4">
        <div className="mb-3 flex flex-wrap items-end justify-between gap-3">
          <h2 id="chart-title" className="font-semibold text-white">
            Revenue
          </h2>
          <div className="flex gap-3 text-sm">
            <label>
              <span className="mr-2">Range</span>
              <select className="field w-auto" value={days} onChange={(e) => setDays(Number(e.target.value))}>
                {ranges.map(([n, name]) => (
                  <option key={n} value={n}>
                    {name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              <span className="mr-2">Granularity</span>
              <select
                className="field w-auto"
                value={granularity}
                onChange={(e) => setGranularity(e.target.value as Granularity)}
              >
                <option value="day">day</option>
                <option value="week">week</option>
                <option value="month">month</option>
              </select>
            </label>
          </div>
        </div>
        <Problem>{chart.error}</Problem>
        {chart.data && <Chart points={points} />}
      </section>
      <div className="mt-6 grid gap-4 xl:grid-cols-3">
        <section aria-labelledby="awaiting-title" className="rounded border border-night-700 p-4">
          <h2 id="awaiting-title" className="mb-2 font-semibold text-white">
            Awaiting fulfilment
          </h2>
          <Problem>{awaiting.error}</Problem>
          {awaiting.data && awaiting.data.data.length === 0 && <p>Every paid order has shipped.</p>}
          <ul className="space-y-1 text-sm">
            {awaiting.data?.data.map((o) => (
              <li key={o.id}>
                <Link to={`/orders/${o.id}`} className="underline">
                  {o.id}
                </Link>{" "}
                · {o.email} · {formatMoney(o.totals.total)} · <When at={o.created_at} />
              </li>
            ))}
          </ul>
          {awaiting.data?.next_cursor && (
            <p className="mt-2 text-sm">
              <Link to="/orders?status=paid" className="underline">
                All paid orders
              </Link>
            </p>
          )}
        </section>
        <section aria-labelledby="low-title" className="rounded border border-night-700 p-4">
          <h2 id="low-title" className="mb-2 font-semibold text-white">
            Low stock
          </h2>
          <Problem>{stock.error}</Problem>
          {stock.data && low.length === 0 && <p>No SKU is low.</p>}
          <ul className="space-y-1 text-sm">
            {low.map((s) => (
              <li key={s.sku}>
                {s.sku}: {s.available} available ({s.reserved} reserved)
              </li>
            ))}
          </ul>
          <p className="mt-2 text-sm">
            <Link to="/inventory" className="underline">
              Inventory
            </Link>
          </p>
        </section>
        <section aria-labelledby="outbox-title" className="rounded border border-night-700 p-4">
          <h2 id="outbox-title" className="mb-2 font-semibold text-white">
            Email outbox
          </h2>
          <Problem>{outbox.error}</Problem>
          {outbox.data && (
            <dl className="grid grid-cols-2 gap-1 text-sm">
              <dt>Waiting</dt>
              <dd>{outbox.data.pending}</dd>
              <dt>Failing, retrying</dt>
              <dd className={outbox.data.failing > 0 ? "font-bold text-amber-200" : ""}>{outbox.data.failing}</dd>
              <dt>Given up</dt>
              <dd className={outbox.data.dead > 0 ? "font-bold text-red-300" : ""}>{outbox.data.dead}</dd>
              <dt>Oldest waiting</dt>
              <dd>
                {outbox.data.oldest_pending_seconds == null
                  ? "none"
                  : `${Math.floor(outbox.data.oldest_pending_seconds / 60)} min`}
              </dd>
            </dl>
          )}
        </section>
      </div>
    </>
  );
}
