import { formatMoney, type Address, type Money } from "@nite/client";
import { Link, useParams } from "react-router";
import { api, unwrap } from "../api";
import { OrderActions } from "../components/OrderActions";
import { PageTitle, Problem, StateBadge, stateName, When } from "../components/ui";
import { useLoad } from "../hooks";

function AddressBlock({ title, address }: { title: string; address: Address }) {
  return (
    <div>
      <h3 className="font-semibold text-white">{title}</h3>
      <address className="not-italic">
        {address.name}
        <br />
        {address.line1}
        {address.line2 && (
          <>
            <br />
            {address.line2}
          </>
        )}
        <br />
        {address.city}
        {address.region ? `, ${address.region}` : ""} {address.postal_code}
        <br />
        {address.country}
        {address.phone && (
          <>
            <br />
            {address.phone}
          </>
        )}
      </address>
    </div>
  );
}

const who: Record<string, string> = {
  customer: "the customer",
  guest: "the guest",
  admin: "an administrator",
  provider: "the payment provider",
  system: "the shop",
};

/** One order: lines, totals, addresses, payment, shipments, refunds, the history and the actions allowed now. */
export function OrderDetail() {
  const { id = "" } = useParams();
  const order = useLoad(
    async () => unwrap(await api.GET("/api/v1/admin/orders/{id}", { params: { path: { id } } })),
    [id],
  );
  const o = order.data;
  if (!o) {
    return (
      <>
        <PageTitle>Order {id}</PageTitle>
        <Problem>{order.error}</Problem>
        {!order.error && <p role="status">Loading…</p>}
      </>
    );
  }
  const totals: [string, Money][] = [
    ["Subtotal", o.totals.subtotal],
    ["Discount", o.totals.discount],
    ["Shipping", o.totals.shipping],
    ["Shipping discount", o.totals.shipping_discount],
    ["Tax", o.totals.tax],
    ["Total", o.totals.total],
  ];
  return (
    <>
      <PageTitle
        actions={
          <Link to="/orders" className="text-sm underline">
            All orders
          </Link>
        }
      >
        Order {o.id} <StateBadge state={o.state} />
      </PageTitle>
      <p className="mb-4 text-sm text-gray-300" data-testid="placed">
        Placed <When at={o.created_at} /> by {o.email}
      </p>
      <Problem>{order.error}</Problem>
      <div className="grid gap-4 xl:grid-cols-3">
        <div className="space-y-4 xl:col-span-2">
          <section aria-labelledby="lines-title" className="rounded border border-night-700 p-4">
            <h2 id="lines-title" className="mb-2 font-semibold text-white">
              Lines
            </h2>
            <div className="overflow-x-auto">
              <table className="w-full text-left text-sm">
                <thead className="text-gray-300">
                  <tr>
                    <th scope="col" className="py-1 pr-3">
                      Item
                    </th>
                    <th scope="col" className="pr-3">
                      SKU
                    </th>
                    <th scope="col" className="pr-3 text-right">
                      Quantity
                    </th>
                    <th scope="col" className="pr-3 text-right">
                      Unit price
                    </th>
                    <th scope="col" className="text-right">
                      Total
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {o.lines.map((l) => (
                    <tr key={l.sku} className="border-t border-night-800">
                      <th scope="row" className="py-1 pr-3 font-normal">
                        {l.name}
                      </th>
                      <td className="pr-3">{l.sku}</td>
                      <td className="pr-3 text-right">{l.quantity}</td>
                      <td className="pr-3 text-right">{formatMoney(l.unit_price)}</td>
                      <td className="text-right">{formatMoney(l.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <dl className="mt-3 ml-auto grid max-w-xs grid-cols-2 gap-1 text-sm">
              {totals.map(([name, money]) => (
                <div key={name} className="contents">
                  <dt className={name === "Total" ? "font-bold text-white" : ""}>{name}</dt>
                  <dd className={`text-right ${name === "Total" ? "font-bold text-white" : ""}`}>{formatMoney(money)}</dd>
                </div>
              ))}
            </dl>
            {o.promotions.length > 0 && (
              <p className="mt-2 text-sm">
                Promotions: {o.promotions.map((p) => `${p.code ?? p.promotion_id} (${formatMoney(p.amount)})`).join(", ")}
              </p>
            )}
          </section>
          <section aria-labelledby="addresses-title" className="rounded border border-night-700 p-4">
            <h2 id="addresses-title" className="sr-only">
              Addresses
            </h2>
            <div className="grid gap-4 sm:grid-cols-2">
              <AddressBlock title="Ships to" address={o.shipping_address} />
              <AddressBlock title="Billing" address={o.billing_address} />
            </div>
            {o.shipping_option && (
              <p className="mt-3 text-sm">
                Shipping: {o.shipping_option.name} ({o.shipping_option.carrier}), {formatMoney(o.shipping_option.price)}
              </p>
            )}
          </section>
          <section aria-labelledby="history-title" className="rounded border border-night-700 p-4">
            <h2 id="history-title" className="mb-2 font-semibold text-white">
              History
            </h2>
            <ol className="space-y-2 border-l border-night-600 pl-4 text-sm">
              {o.history.map((h, i) => (
                <li key={i}>
                  <p className="font-medium text-white">
                    {h.from === null || h.from === undefined
                      ? `Placed (${stateName(h.to)})`
                      : h.from === h.to
                        ? h.reason ?? "Noted"
                        : `${stateName(h.from)} → ${stateName(h.to)}`}
                  </p>
                  <p className="text-gray-300">
                    <When at={h.at} />, by {who[h.by] ?? h.by}
                    {h.from !== h.to && h.reason ? `: ${h.reason}` : ""}
                  </p>
                </li>
              ))}
            </ol>
          </section>
        </div>
        <div className="space-y-4">
          <OrderActions order={o} onChanged={order.set} onStale={order.reload} />
          <section aria-labelledby="payment-title" className="rounded border border-night-700 p-4 text-sm">
            <h2 id="payment-title" className="mb-2 font-semibold text-white">
              Payment
            </h2>
            <dl className="grid grid-cols-2 gap-1">
              <dt>Provider</dt>
              <dd>{o.payment.provider ?? "none yet"}</dd>
              <dt>Status</dt>
              <dd>{o.payment.status.replaceAll("_", " ")}</dd>
              <dt>Amount</dt>
              <dd>{formatMoney(o.payment.amount)}</dd>
              <dt>Captured</dt>
              <dd>{formatMoney(o.payment.captured)}</dd>
              <dt>Refunded</dt>
              <dd>{formatMoney(o.payment.refunded)}</dd>
              <dt>Refundable</dt>
              <dd data-testid="refundable">{formatMoney(o.refundable)}</dd>
            </dl>
            {o.refunds.length > 0 && (
              <>
                <h3 className="mt-3 font-semibold text-white">Refunds</h3>
                <ul>
                  {o.refunds.map((r, i) => (
                    <li key={i}>
                      {formatMoney(r.amount)} on <When at={r.at} />
                      {r.reason ? `: ${r.reason}` : ""}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
          {o.shipments.length > 0 && (
            <section aria-labelledby="shipments-title" className="rounded border border-night-700 p-4 text-sm">
              <h2 id="shipments-title" className="mb-2 font-semibold text-white">
                Shipment
              </h2>
              {o.shipments.map((s) => (
                <p key={s.tracking_number}>
                  {s.carrier}{" "}
                  {s.tracking_url ? (
                    <a href={s.tracking_url} className="underline">
                      {s.tracking_number}
                    </a>
                  ) : (
                    s.tracking_number
                  )}
                  , shipped <When at={s.shipped_at} />
                </p>
              ))}
            </section>
          )}
        </div>
      </div>
    </>
  );
}
