import { formatMoney } from "@nite/client";
import { useState, type FormEvent } from "react";
import { ApiError, api, unwrap, type AdminOrder, type OrderAction } from "../api";
import { formText, useAction } from "../hooks";
import { Done, Problem } from "./ui";

/** The button that opens each action, in words. */
export const actionLabels: Record<OrderAction, string> = {
  ship: "Ship",
  deliver: "Mark delivered",
  cancel: "Cancel order",
  refund: "Refund",
};

/**
 * What can be done to an order now: exactly the `actions` the API says its state machine allows (the rules live in
 * the core, not here). Each opens a small form; the answer replaces the order. An action the order no longer
 * allows (another administrator was quicker) shows the API's reason and reloads the order.
 */
export function OrderActions({
  order,
  onChanged,
  onStale,
}: {
  order: AdminOrder;
  onChanged: (order: AdminOrder) => void;
  onStale: () => void;
}) {
  const [open, setOpen] = useState<OrderAction | null>(null);
  const [done, setDone] = useState("");
  const action = useAction();
  const path = { params: { path: { id: order.id } } };

  async function submit(event: FormEvent<HTMLFormElement>, which: OrderAction) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => formText(form, name).trim();
    setDone("");
    const changed = await action.run(async () => {
      try {
        switch (which) {
          case "ship":
            return unwrap(
              await api.POST("/api/v1/admin/orders/{id}/ship", {
                ...path,
                body: { carrier: text("carrier"), tracking_number: text("tracking_number") },
              }),
            );
          case "deliver":
            return unwrap(await api.POST("/api/v1/admin/orders/{id}/deliver", path));
          case "cancel":
            return unwrap(await api.POST("/api/v1/admin/orders/{id}/cancel", { ...path, body: { reason: text("reason") } }));
          case "refund":
            return unwrap(
              await api.POST("/api/v1/admin/orders/{id}/refunds", {
                ...path,
                body: { amount: text("amount"), reason: text("reason") },
              }),
            );
        }
      } catch (error) {
        if (error instanceof ApiError && error.code === "invalid_transition") onStale();
        throw error;
      }
    });
    if (changed) {
      setOpen(null);
      setDone(`Done: ${actionLabels[which].toLowerCase()}.`);
      onChanged(changed);
    }
  }

  return (
    <section aria-labelledby="actions-title" className="rounded border border-night-700 p-4">
      <h2 id="actions-title" className="mb-3 font-semibold text-white">
        Actions
      </h2>
      {order.actions.length === 0 && <p>Nothing more can be done to this order.</p>}
      <div className="flex flex-wrap gap-2">
        {order.actions.map((a) => (
          <button
            key={a}
            type="button"
            aria-expanded={open === a}
            className={a === "cancel" ? "button-danger" : "button"}
            onClick={() => {
              action.clear();
              setOpen(open === a ? null : a);
            }}
          >
            {actionLabels[a]}
          </button>
        ))}
      </div>
      {open === "ship" && (
        <form onSubmit={(e) => void submit(e, "ship")} className="mt-4 grid gap-3 sm:grid-cols-2" aria-label="Ship the order">
          <label>
            <span className="mb-1 block text-sm">Carrier</span>
            <input name="carrier" required className="field" list="carriers" />
            <datalist id="carriers">
              <option value="USPS" />
              <option value="UPS" />
              <option value="FedEx" />
              <option value="DHL" />
            </datalist>
          </label>
          <label>
            <span className="mb-1 block text-sm">Tracking number</span>
            <input name="tracking_number" required className="field" />
          </label>
          <p className="sm:col-span-2">
            <button type="submit" className="button" disabled={action.busy}>
              Ship and email the customer
            </button>
          </p>
        </form>
      )}
      {open === "deliver" && (
        <form onSubmit={(e) => void submit(e, "deliver")} className="mt-4" aria-label="Mark the order delivered">
          <button type="submit" className="button" disabled={action.busy}>
            Confirm: it was delivered
          </button>
        </form>
      )}
      {open === "cancel" && (
        <form onSubmit={(e) => void submit(e, "cancel")} className="mt-4 space-y-3" aria-label="Cancel the order">
          <label className="block">
            <span className="mb-1 block text-sm">Reason (the customer sees it)</span>
            <input name="reason" className="field" />
          </label>
          {order.state === "paid" && <p className="text-sm">{formatMoney(order.refundable)} will be refunded.</p>}
          <button type="submit" className="button-danger" disabled={action.busy}>
            Cancel the order
          </button>
        </form>
      )}
      {open === "refund" && (
        <form onSubmit={(e) => void submit(e, "refund")} className="mt-4 grid gap-3 sm:grid-cols-2" aria-label="Refund">
          <p className="sm:col-span-2">Still refundable: {formatMoney(order.refundable)}</p>
          <label>
            <span className="mb-1 block text-sm">Amount ({order.currency})</span>
            <input
              name="amount"
              required
              inputMode="decimal"
              placeholder={order.refundable.amount}
              className="field"
            />
          </label>
          <label>
            <span className="mb-1 block text-sm">Reason</span>
            <input name="reason" className="field" />
          </label>
          <p className="sm:col-span-2">
            <button type="submit" className="button" disabled={action.busy}>
              Refund
            </button>
          </p>
        </form>
      )}
      <div className="mt-3">
        <Problem>{action.error}</Problem>
        <Done>{done}</Done>
      </div>
    </section>
  );
}
