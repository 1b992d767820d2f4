// Small pieces every page uses: headings, alerts, state badges, cursor paging, dates.
import type { ReactNode } from "react";
import type { OrderState } from "../api";

/** A page's title, with actions beside it. */
export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-5 flex flex-wrap items-center justify-between gap-3">
      <h1 className="text-2xl font-bold text-white">{children}</h1>
      {actions}
    </div>
  );
}

/** An error in words, announced. */
export function Problem({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <p role="alert" className="rounded border border-red-400 bg-red-950 px-3 py-2 text-red-100">
      {children}
    </p>
  );
}

/** A confirmation, announced politely. */
export function Done({ children }: { children: ReactNode }) {
  return (
    <p role="status" className="min-h-6 text-glow-300">
      {children}
    </p>
  );
}

const stateNames: Record<OrderState, string> = {
  pending_payment: "Awaiting payment",
  paid: "Paid",
  shipped: "Shipped",
  delivered: "Delivered",
  cancelled: "Cancelled",
};

const stateColours: Record<OrderState, string> = {
  pending_payment: "bg-amber-200 text-night-950",
  paid: "bg-glow-300 text-night-950",
  shipped: "bg-sky-200 text-night-950",
  delivered: "bg-gray-200 text-night-950",
  cancelled: "bg-red-200 text-night-950",
};

/** An order state in words. */
export function stateName(state: OrderState): string {
  return stateNames[state];
}

/** An order's state as a badge. */
export function StateBadge({ state }: { state: OrderState }) {
  return (
    <span data-testid="order-state" className={`rounded px-2 py-0.5 text-sm font-medium ${stateColours[state]}`}>
      {stateNames[state]}
    </span>
  );
}

const dateTime = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });

/** An RFC 3339 instant as `Dec 3, 2026, 1:45 PM UTC`. */
export function when(at: string): string {
  return `${dateTime.format(new Date(at))} UTC`;
}

/** An instant, shown as {@link when} says, in a `<time>` element. */
export function When({ at }: { at: string }) {
  return <time dateTime={at}>{when(at)}</time>;
}

/**
 * Cursor paging: the API answers `next_cursor`; the cursors of pages already seen are kept so "Previous" goes back.
 */
export function Pager({
  cursors,
  next,
  onChange,
  label,
}: {
  cursors: (string | undefined)[];
  next: string | null | undefined;
  onChange: (cursors: (string | undefined)[]) => void;
  label: string;
}) {
  const page = cursors.length;
  return (
    <nav aria-label={`${label} pages`} className="mt-4 flex items-center gap-3 text-sm">
      <button type="button" className="button-quiet" disabled={page <= 1} onClick={() => onChange(cursors.slice(0, -1))}>
        Previous
      </button>
      <span>Page {page}</span>
      <button
        type="button"
        className="button-quiet"
        disabled={!next}
        onClick={() => next && onChange([...cursors, next])}
      >
        Next
      </button>
    </nav>
  );
}
