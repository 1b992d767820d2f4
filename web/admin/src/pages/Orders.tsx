import { formatMoney } from "@nite/client";
import { useState, type FormEvent } from "react";
import { Link, useSearchParams } from "react-router";
import { api, unwrap, type OrderState, type OrderSummary } from "../api";
import { PageTitle, Pager, Problem, StateBadge, stateName, When } from "../components/ui";
import { formText, useLoad } from "../hooks";

const states: OrderState[] = ["pending_payment", "paid", "shipped", "delivered", "cancelled"];

/** A table of orders (shared by the order list and a customer's orders). */
export function OrderTable({ orders, caption }: { orders: OrderSummary[]; caption: string }) {
  if (orders.length === 0) return <p>No orders.</p>;
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="text-gray-300">
          <tr>
            <th scope="col" className="py-2 pr-3">
              Order
            </th>
            <th scope="col" className="pr-3">
              Placed
            </th>
            <th scope="col" className="pr-3">
              Email
            </th>
            <th scope="col" className="pr-3">
              State
            </th>
            <th scope="col" className="text-right">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => (
            <tr key={o.id} className="border-t border-night-800">
              <th scope="row" className="py-2 pr-3 font-normal">
                <Link to={`/orders/${o.id}`} className="underline">
                  {o.id}
                </Link>
              </th>
              <td className="pr-3"><When at={o.created_at} /></td>
              <td className="pr-3">{o.email}</td>
              <td className="pr-3">
                <StateBadge state={o.state} />
              </td>
              <td className="text-right">{formatMoney(o.totals.total)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Orders, newest first: by state, found by id or email, paged by the API's cursors. */
export function Orders() {
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") ?? "") as OrderState | "";
  const q = params.get("q") ?? "";
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const orders = useLoad(
    async () =>
      unwrap(
        await api.GET("/api/v1/admin/orders", {
          params: { query: { status: status || undefined, q: q || undefined, cursor, limit: 20 } },
        }),
      ),
    [status, q, cursor],
  );
  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    const state = formText(form, "status");
    const text = formText(form, "q").trim();
    if (state) next.set("status", state);
    if (text) next.set("q", text);
    setCursors([undefined]);
    setParams(next);
  }
  return (
    <>
      <PageTitle>Orders</PageTitle>
      <form role="search" onSubmit={search} className="mb-4 flex flex-wrap items-end gap-3" key={`${status}|${q}`}>
        <label>
          <span className="mb-1 block text-sm">State</span>
          <select name="status" defaultValue={status} className="field w-auto">
            <option value="">Any</option>
            {states.map((s) => (
              <option key={s} value={s}>
                {stateName(s)}
              </option>
            ))}
          </select>
        </label>
        <label className="min-w-64 flex-1">
          <span className="mb-1 block text-sm">Order id or email</span>
          <input name="q" type="search" defaultValue={q} className="field" />
        </label>
        <button type="submit" className="button">
          Find
        </button>
      </form>
      <Problem>{orders.error}</Problem>
      {orders.data && <OrderTable orders={orders.data.data} caption="Orders" />}
      <Pager label="Orders" cursors={cursors} next={orders.data?.next_cursor} onChange={setCursors} />
    </>
  );
}
