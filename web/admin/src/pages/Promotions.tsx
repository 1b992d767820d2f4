import { formatMoney } from "@nite/client";
import { Link } from "react-router";
import { api, unwrap, type Promotion } from "../api";
import { PageTitle, Problem } from "../components/ui";
import { useLoad } from "../hooks";

/** A promotion's action in a few words. */
export function actionSummary(action: Promotion["action"]): string {
  switch (action.type) {
    case "order_percentage":
      return `${action.percentage} % off the order`;
    case "order_amount":
      return `${formatMoney(action.amount)} off the order`;
    case "items_percentage":
      return `${action.percentage} % off ${action.target.values.join(", ")}`;
    case "items_amount":
      return `${formatMoney(action.amount_per_unit)} off each unit of ${action.target.values.join(", ")}`;
    case "free_shipping":
      return "Free shipping";
    case "buy_x_get_y":
      return `Buy ${action.buy_quantity} of ${action.buy.values.join(", ")}, get ${action.get_quantity} of ${action.get.values.join(", ")} at ${action.percentage} % off`;
  }
}

/** Every promotion. */
export function Promotions() {
  const promotions = useLoad(async () => unwrap(await api.GET("/api/v1/admin/promotions")), []);
  return (
    <>
      <PageTitle
        actions={
          <Link to="/promotions/new" className="button">
            New promotion
          </Link>
        }
      >
        Promotions
      </PageTitle>
      <Problem>{promotions.error}</Problem>
      {promotions.data && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Promotions</caption>
            <thead className="text-gray-300">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  Name
                </th>
                <th scope="col" className="pr-3">
                  Code
                </th>
                <th scope="col" className="pr-3">
                  What it gives
                </th>
                <th scope="col">On</th>
              </tr>
            </thead>
            <tbody>
              {promotions.data.data.map((p) => (
                <tr key={p.id} className="border-t border-night-800">
                  <th scope="row" className="py-2 pr-3 font-normal">
                    <Link to={`/promotions/${p.id}`} className="underline">
                      {p.name}
                    </Link>
                  </th>
                  <td className="pr-3">{p.code ?? "automatic"}</td>
                  <td className="pr-3">{actionSummary(p.action)}</td>
                  <td>{p.enabled === false ? "off" : "on"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
