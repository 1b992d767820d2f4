import { useId, useState, type SyntheticEvent } from "react";
import { Link } from "react-router";
import { describe } from "../api";
import { formatMoney } from "@nite/client";
import { useCart } from "../store/cart";
import { why } from "../why";
import { Totals } from "./Totals";

/** The cart's lines, discount codes, free-shipping nudge and totals, with their controls. */
export function CartContents({ onNavigate }: { onNavigate?: () => void }) {
  const cart = useCart((s) => s.cart);
  const setQuantity = useCart((s) => s.setQuantity);
  const remove = useCart((s) => s.remove);
  const applyCode = useCart((s) => s.applyCode);
  const removeCode = useCart((s) => s.removeCode);
  const [code, setCode] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const codeId = useId();

  if (!cart || cart.lines.length === 0) {
    return (
      <div className="space-y-4">
        <p>Your cart is empty.</p>
        <Link to="/" onClick={onNavigate} className="text-glow-300 underline">
          Browse the lights
        </Link>
      </div>
    );
  }

  async function run(action: () => Promise<unknown>) {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(event: SyntheticEvent) {
    event.preventDefault();
    const entered = code.trim();
    if (!entered) return;
    await run(async () => {
      await applyCode(entered);
      setCode("");
    });
  }

  const nudge = cart.free_shipping;
  return (
    <div className="space-y-6">
      <ul className="divide-y divide-night-700" aria-label="Items in your cart">
        {cart.lines.map((line) => (
          <li key={line.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
            <div className="min-w-0 flex-1">
              <p className="font-medium text-white">{line.name}</p>
              <p className="text-sm text-gray-300">
                {formatMoney(line.unit_price)} each · <span data-testid="line-total">{formatMoney(line.total)}</span>
              </p>
            </div>
            <div className="flex items-center gap-2">
              <label className="sr-only" htmlFor={`qty-${line.id}`}>
                Quantity of {line.name}
              </label>
              <select
                id={`qty-${line.id}`}
                value={line.quantity}
                disabled={busy}
                onChange={(e) => void run(() => setQuantity(line.id, Number(e.target.value)))}
                className="rounded border border-night-700 bg-night-900 px-2 py-1"
              >
                {Array.from({ length: Math.max(10, line.quantity) }, (_, i) => i + 1).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
              <button
                type="button"
                disabled={busy}
                onClick={() => void run(() => remove(line.id))}
                className="rounded px-2 py-1 text-sm text-gray-200 underline hover:text-white"
              >
                Remove<span className="sr-only"> {line.name}</span>
              </button>
            </div>
          </li>
        ))}
      </ul>

      {nudge && (
        <p className="rounded bg-night-800 p-3 text-sm" data-testid="free-shipping">
          {nudge.qualifies
            ? "Your order ships free (standard shipping)."
            : `Add ${formatMoney(nudge.remaining)} more for free standard shipping (orders over ${formatMoney(nudge.above)}).`}
        </p>
      )}

      <div className="space-y-2">
        <form onSubmit={(e) => void submitCode(e)} className="flex gap-2">
          <label htmlFor={codeId} className="sr-only">
            Discount code
          </label>
          <input
            id={codeId}
            value={code}
            onChange={(e) => setCode(e.target.value)}
            placeholder="Discount code"
            autoComplete="off"
            className="min-w-0 flex-1 rounded border border-night-700 bg-night-900 px-3 py-2 placeholder:text-gray-400"
          />
          <button type="submit" disabled={busy} className="rounded bg-night-700 px-4 py-2 font-medium text-white">
            Apply
          </button>
        </form>
        {cart.discount_codes.length > 0 && (
          <ul className="space-y-1 text-sm" aria-label="Discount codes">
            {cart.discount_codes.map((c) => (
              <li key={c.code} className="flex items-start justify-between gap-2">
                <span>
                  <strong className="text-white">{c.code}</strong>{" "}
                  {c.applied ? (
                    <span className="text-glow-300">applied</span>
                  ) : (
                    <span className="text-amber-200" data-testid="code-why">
                      {why(c.why)}
                    </span>
                  )}
                </span>
                <button
                  type="button"
                  disabled={busy}
                  className="shrink-0 underline"
                  onClick={() => void run(() => removeCode(c.code))}
                >
                  Remove<span className="sr-only"> code {c.code}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>

      {error && (
        <p role="alert" className="rounded bg-red-950 p-3 text-sm text-red-100">
          {error}
        </p>
      )}

      <Totals totals={cart.totals} shippingChosen={cart.shipping_option != null} />
      {cart.unavailable_lines.length > 0 && (
        <p role="alert" className="text-sm text-amber-200">
          Some items are no longer sold. Remove them to check out.
        </p>
      )}
    </div>
  );
}
