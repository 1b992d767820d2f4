import { useState, type FormEvent } from "react";
import { api, unwrap, type Stock } from "../api";
import { Done, PageTitle, Problem } from "../components/ui";
import { formText, useAction, useLoad } from "../hooks";

/** One SKU's row: on hand edited in place (the API refuses less than is reserved, and says so). */
function StockRow({ stock, onSaved }: { stock: Stock; onSaved: (stock: Stock) => void }) {
  const save = useAction();
  const [done, setDone] = useState("");
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const on_hand = Number(formText(new FormData(event.currentTarget), "on_hand"));
    setDone("");
    const saved = await save.run(async () =>
      unwrap(await api.PUT("/api/v1/admin/inventory/{sku}", { params: { path: { sku: stock.sku } }, body: { on_hand } })),
    );
    if (saved) {
      setDone("Saved");
      onSaved(saved);
    }
  }
  return (
    <tr className="border-t border-night-800 align-top">
      <th scope="row" className="py-2 pr-3 font-normal">
        {stock.sku}
        {stock.low && <span className="ml-2 rounded bg-amber-200 px-1.5 text-xs font-semibold text-night-950">Low</span>}
      </th>
      <td className="py-2 pr-3">
        <form onSubmit={(e) => void submit(e)} className="flex flex-wrap items-center gap-2" aria-label={`Stock of ${stock.sku}`}>
          <label>
            <span className="sr-only">On hand for {stock.sku}</span>
            <input name="on_hand" type="number" min={0} required defaultValue={stock.on_hand} key={stock.on_hand} className="field w-24" />
          </label>
          <button type="submit" className="button-quiet" disabled={save.busy}>
            Save<span className="sr-only"> {stock.sku}</span>
          </button>
          <Done>{done}</Done>
        </form>
        <Problem>{save.error}</Problem>
      </td>
      <td className="py-2 pr-3 text-right">{stock.reserved}</td>
      <td className="py-2 text-right">{stock.available}</td>
    </tr>
  );
}

/** Stock per SKU: on hand, reserved by unpaid orders, available. */
export function Inventory() {
  const stock = useLoad(async () => unwrap(await api.GET("/api/v1/admin/inventory")), []);
  const replace = (saved: Stock) =>
    stock.data && stock.set({ data: stock.data.data.map((s) => (s.sku === saved.sku ? saved : s)) });
  return (
    <>
      <PageTitle>Inventory</PageTitle>
      <p className="mb-4 text-sm text-gray-300">
        On hand can never go below what unpaid orders have reserved. SKUs marked low have few units left to sell.
      </p>
      <Problem>{stock.error}</Problem>
      {stock.data && (
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Stock per SKU</caption>
            <thead className="text-gray-300">
              <tr>
                <th scope="col" className="py-2 pr-3">
                  SKU
                </th>
                <th scope="col" className="pr-3">
                  On hand
                </th>
                <th scope="col" className="pr-3 text-right">
                  Reserved
                </th>
                <th scope="col" className="text-right">
                  Available
                </th>
              </tr>
            </thead>
            <tbody>
              {stock.data.data.map((s) => (
                <StockRow key={s.sku} stock={s} onSaved={replace} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
