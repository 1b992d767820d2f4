import { formatMoney } from "@nite/client";
import { useState } from "react";
import { Link } from "react-router";
import { api, unwrap } from "../api";
import { PageTitle, Pager, Problem } from "../components/ui";
import { useLoad } from "../hooks";

/** The catalog as stored, paged. */
export function Products() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);
  const products = useLoad(
    async () => unwrap(await api.GET("/api/v1/admin/products", { params: { query: { cursor, limit: 20 } } })),
    [cursor],
  );
  return (
    <>
      <PageTitle
        actions={
          <Link to="/products/new" className="button">
            New product
          </Link>
        }
      >
        Products
      </PageTitle>
      <Problem>{products.error}</Problem>
      {products.data && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Products</caption>
            <thead className="text-gray-300">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  Product
                </th>
                <th scope="col" className="pr-3">
                  Category
                </th>
                <th scope="col" className="pr-3">
                  Variants and prices
                </th>
              </tr>
            </thead>
            <tbody>
              {products.data.data.map((p) => (
                <tr key={p.id} className="border-t border-night-800 align-top">
                  <th scope="row" className="py-2 pr-3 font-normal">
                    <Link to={`/products/${p.id}`} className="underline">
                      {p.name}
                    </Link>
                    <span className="block text-gray-400">/{p.slug}</span>
                  </th>
                  <td className="pr-3">{p.category}</td>
                  <td className="pr-3">
                    <ul>
                      {p.variants.map((v) => (
                        <li key={v.id}>
                          {v.sku}: {formatMoney(v.price)}
                          {v.sale_price && `, on sale at ${formatMoney(v.sale_price)}`}
                        </li>
                      ))}
                    </ul>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager label="Products" cursors={cursors} next={products.data?.next_cursor} onChange={setCursors} />
    </>
  );
}
