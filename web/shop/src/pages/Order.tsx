import type { Order as OrderT, Schemas } from "@nite/client";
import { useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router";
import { ApiError, api, describe, unwrap } from "../api";
import { AddressBlock } from "../components/AddressBlock";
import { Totals } from "../components/Totals";
import { formatMoney } from "@nite/client";
import { withSession } from "../store/session";
import { usePageTitle } from "../title";

const stateWords: Record<string, string> = {
  pending_payment: "Awaiting payment",
  paid: "Paid — being prepared",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
};

/**
 * An order: the confirmation after checkout (a guest reads it with the HttpOnly order cookie checkout set) and the
 * order detail of an account, with its tracking once shipped.
 */
export function Order() {
  const { id = "" } = useParams();
  const [order, setOrder] = useState<OrderT | null>(null);
  const [tracking, setTracking] = useState<Schemas["Tracking"] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [retrying, setRetrying] = useState(false);
  usePageTitle(order ? `Order ${order.id}` : "Your order");

  const fetchOrder = useCallback(async () => {
    const found = await withSession(async () => unwrap(await api.GET("/api/v1/orders/{id}", { params: { path: { id } } })));
    setOrder(found);
    return found;
  }, [id]);

  useEffect(() => {
    let live = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let polls = 0;
    const poll = async () => {
      try {
        const found = await fetchOrder();
        if (!live) return;
        // A payment the provider confirms later (a 3-D Secure return, a webhook): look again for a while.
        if (found.state === "pending_payment" && found.payment.status === "pending" && polls++ < 15) {
          timer = setTimeout(() => void poll(), 2000);
        }
        if (found.shipments.length > 0) {
          try {
            const t = await withSession(async () =>
              unwrap(await api.GET("/api/v1/orders/{id}/tracking", { params: { path: { id } } })),
            );
            if (live) setTracking(t);
          } catch {
            // Tracking is extra: the shipment's number and link are shown anyway.
          }
        }
      } catch (e) {
        if (live) setError(e instanceof ApiError && e.code === "not_found" ? "not_found" : describe(e));
      }
    };
    void poll();
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [fetchOrder, id]);

  async function retryTestPayment() {
    if (!order?.payment.id) return;
    setRetrying(true);
    try {
      unwrap(
        await api.POST("/api/v1/payments/{id}/test-confirm", {
          params: { path: { id: order.payment.id } },
          body: { outcome: "succeeded" },
        }),
      );
      await fetchOrder();
    } catch (e) {
      setError(describe(e));
    } finally {
      setRetrying(false);
    }
  }

  if (error === "not_found") {
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold text-white">Order not found</h1>
        <p>
          This order is not here, or it is not yours. If you ordered as a guest, the confirmation email has your
          order; <Link to="/sign-in" className="underline">sign in</Link> to see the orders of your account.
        </p>
      </div>
    );
  }
  if (error && !order) return <p role="alert">{error}</p>;
  if (!order) return <p>Loading your order…</p>;

  const paid = order.state !== "pending_payment" && order.state !== "cancelled";
  const a = order.shipping_address;
  return (
    <div className="space-y-8">
      <header className="space-y-2">
        <h1 className="text-2xl font-bold text-white">
          {paid ? "Thank you for your order" : order.state === "cancelled" ? "Order cancelled" : "Your order is placed"}
        </h1>
        <p>
          Order number <strong className="text-white" data-testid="order-id">{order.id}</strong> ·{" "}
          <span data-testid="order-state">{stateWords[order.state] ?? order.state}</span>
        </p>
      </header>

      {order.state === "pending_payment" && (
        <div role="status" className="space-y-2 rounded border border-amber-300 bg-amber-950 p-4 text-amber-100">
          {order.payment.status === "failed" ? (
            <p>The payment was declined. Your items are held for a little while: try again.</p>
          ) : (
            <p>We are waiting for the payment to be confirmed.</p>
          )}
          {order.payment.provider === "test" && (
            <button type="button" disabled={retrying} onClick={() => void retryTestPayment()} className="rounded bg-amber-200 px-4 py-2 font-semibold text-night-950">
              Pay with the test card that is accepted
            </button>
          )}
        </div>
      )}
      {error && <p role="alert">{error}</p>}

      <div className="grid gap-8 md:grid-cols-2">
        <section aria-labelledby="items-title" className="space-y-3">
          <h2 id="items-title" className="text-lg font-semibold text-white">
            Items
          </h2>
          <ul className="space-y-1 text-sm">
            {order.lines.map((l) => (
              <li key={l.sku} className="flex justify-between gap-3">
                <span>
                  {l.quantity} × {l.name}
                </span>
                <span>{formatMoney(l.total)}</span>
              </li>
            ))}
          </ul>
          <Totals totals={order.totals} />
        </section>
        <section aria-labelledby="delivery-title" className="space-y-3">
          <h2 id="delivery-title" className="text-lg font-semibold text-white">
            Delivery
          </h2>
          <AddressBlock address={a} />
          {order.shipping_option && (
            <p className="text-gray-200">
              {order.shipping_option.name} ({order.shipping_option.carrier})
            </p>
          )}
          {order.shipments.map((s) => (
            <div key={s.tracking_number} className="rounded bg-night-900 p-3" data-testid="tracking">
              <p>
                Shipped with {s.carrier}, tracking number <strong className="text-white">{s.tracking_number}</strong>
              </p>
              {s.tracking_url && (
                <a href={s.tracking_url} className="underline" rel="noreferrer" target="_blank">
                  Track the parcel at {s.carrier}
                </a>
              )}
            </div>
          ))}
          {tracking && tracking.events.length > 0 && (
            <ol className="space-y-1 text-sm" aria-label="Tracking events">
              {tracking.events.map((e, i) => (
                <li key={i}>
                  {e.description}
                  {e.location ? ` — ${e.location}` : ""}
                </li>
              ))}
            </ol>
          )}
        </section>
      </div>

      <section aria-labelledby="next-title" className="space-y-2">
        <h2 id="next-title" className="text-lg font-semibold text-white">
          What happens next
        </h2>
        <p className="text-gray-200">
          {order.state === "pending_payment"
            ? "Once the payment is confirmed we email you a confirmation and prepare the parcel."
            : order.state === "paid"
              ? `We have emailed a confirmation to ${order.email}. Your lights leave our warehouse within one business day, and we email the tracking number when they do.`
              : order.state === "shipped"
                ? "Your parcel is on its way: follow it with the tracking number above."
                : order.state === "delivered"
                  ? "Your parcel has arrived. Enjoy your evenings on the green, and tell others what you think in a review."
                  : "This order was cancelled; anything charged is refunded to your card."}
        </p>
        <Link to="/" className="inline-block underline">
          Continue shopping
        </Link>
      </section>
    </div>
  );
}
