import { useState } from "react";
import { Link, useLocation, useParams } from "react-router";
import { api, unwrap } from "../api";
import { PageTitle, Pager, Problem, When } from "../components/ui";
import { useLoad } from "../hooks";
import { OrderTable } from "./Orders";

/** The customers, paged. */
export function Customers() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const customers = useLoad(
    async () => unwrap(await api.GET("/api/v1/admin/customers", { params: { query: { cursor, limit: 20 } } })),
    [cursor],
  );
  return (
    <>
      <PageTitle>Customers</PageTitle>
      <Problem>{customers.error}</Problem>
      {customers.data && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Customers</caption>
            <thead className="text-gray-300">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  Name
                </th>
                <th scope="col" className="pr-3">
                  Email
                </th>
                <th scope="col" className="pr-3">
                  Role
                </th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {customers.data.data.map((c) => (
                <tr key={c.id} className="border-t border-night-800">
                  <th scope="row" className="py-2 pr-3 font-normal">
                    <Link to={`/customers/${c.id}`} state={{ name: c.name, email: c.email }} className="underline">
                      {c.name}
                    </Link>
                  </th>
                  <td className="pr-3">{c.email}</td>
                  <td className="pr-3">{c.role}</td>
                  <td><When at={c.created_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="Customers" cursors={cursors} next={customers.data?.next_cursor} onChange={setCursors} />
    </>
  );
}

/** One customer's orders. */
export function CustomerOrders() {
  const { id = "" } = useParams();
  const shown = useLocation().state as { name?: string; email?: string } | null;
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const orders = useLoad(
    async () =>
      unwrap(await api.GET("/api/v1/admin/orders", { params: { query: { customer: id, cursor, limit: 20 } } })),
    [id, cursor],
  );
  const title = shown?.name ? `${shown.name}'s orders` : `Orders of ${id}`;
  return (
    <>
      <PageTitle
        actions={
          <Link to="/customers" className="text-sm underline">
            All customers
          </Link>
        }
      >
        {title}
      </PageTitle>
      {shown?.email && <p className="mb-3 text-sm text-gray-300">{shown.email}</p>}
      <Problem>{orders.error}</Problem>
      {orders.data && <OrderTable orders={orders.data.data} caption={title} />}
      <Pager label="Orders" cursors={cursors} next={orders.data?.next_cursor} onChange={setCursors} />
    </>
  );
}
