import type { Schemas } from "@nite/client";
import { formatMoney, isZero } from "@nite/client";

/** A cart's or an order's totals, exactly as the API returned them. */
export function Totals({ totals, shippingChosen = true }: { totals: Schemas["TotalsOut"]; shippingChosen?: boolean }) {
  return (
    <dl className="space-y-1 text-sm" aria-label="Order totals">
      <Row label="Subtotal" value={formatMoney(totals.subtotal)} />
      {!isZero(totals.discount) && <Row label="Discount" value={`−${formatMoney(totals.discount)}`} />}
      <Row label="Shipping" value={shippingChosen ? formatMoney(totals.shipping) : "Chosen at checkout"} />
      {!isZero(totals.shipping_discount) && (
        <Row label="Shipping discount" value={`−${formatMoney(totals.shipping_discount)}`} />
      )}
      <Row label="Tax" value={formatMoney(totals.tax)} />
      <div className="flex justify-between border-t border-night-700 pt-2 text-base font-semibold text-white">
        <dt>Total</dt>
        <dd data-testid="total">{formatMoney(totals.total)}</dd>
      </div>
    </dl>
  );
}

function Row({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex justify-between">
      <dt className="text-gray-300">{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}
