import type { Money } from "@nite/client";
import { formatMoney } from "@nite/client";

/** A selling price, with the regular price struck through when on sale. */
export function Price({ price, compareAt }: { price: Money; compareAt?: Money | null }) {
  if (!compareAt) return <span className="font-semibold text-white">{formatMoney(price)}</span>;
  return (
    <span className="inline-flex items-baseline gap-2">
      <span className="font-semibold text-glow-300">
        <span className="sr-only">Sale price </span>
        {formatMoney(price)}
      </span>
      <s className="text-sm text-gray-300">
        <span className="sr-only">Regular price </span>
        {formatMoney(compareAt)}
      </s>
    </span>
  );
}

/** Stars for a rating (an average as the API's decimal string, or a whole rating). */
export function Stars({ value, label }: { value: string | number; label?: string }) {
  const shown = typeof value === "number" ? String(value) : value;
  const whole = Math.round(Number(shown));
  return (
    <span role="img" aria-label={label ?? `Rated ${shown} out of 5`} className="text-amber-300">
      <span aria-hidden="true">{"★".repeat(whole) + "☆".repeat(Math.max(0, 5 - whole))}</span>
    </span>
  );
}
