import { formatMoney } from "@nite/client";
import { useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, describe, unwrap, type Preview } from "../api";
import { Done, PageTitle, Problem } from "../components/ui";
import { useAction, useLoad } from "../hooks";
import {
  actionNames,
  conditionNames,
  draftOf,
  emptyCondition,
  emptyPromotion,
  formOf,
  type ActionType,
  type ConditionForm,
  type ConditionType,
  type PromotionForm,
  type TargetBy,
  type TargetForm,
} from "../promotionForm";
import { withSession } from "../session";
import { why } from "../why";

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <label className="block">
      <span className="mb-1 block text-sm">{label}</span>
      {children}
    </label>
  );
}

function TargetFields({ legend, value, onChange }: { legend: string; value: TargetForm; onChange: (t: TargetForm) => void }) {
  return (
    <fieldset className="grid gap-2 rounded border border-night-700 p-3 sm:grid-cols-[auto_1fr]">
      <legend className="px-1 text-sm font-semibold text-white">{legend}</legend>
      <Field label="Chosen by">
        <select className="field" value={value.by} onChange={(e) => onChange({ ...value, by: e.target.value as TargetBy })}>
          <option value="categories">category</option>
          <option value="products">product id</option>
          <option value="skus">SKU</option>
        </select>
      </Field>
      <Field label="Which (comma separated)">
        <input className="field" value={value.values} onChange={(e) => onChange({ ...value, values: e.target.value })} />
      </Field>
    </fieldset>
  );
}

function ConditionFields({ value, onChange }: { value: ConditionForm; onChange: (c: ConditionForm) => void }) {
  switch (value.type) {
    case "min_subtotal":
      return (
        <Field label="At least (subtotal before discounts)">
          <input className="field" inputMode="decimal" value={value.amount} onChange={(e) => onChange({ ...value, amount: e.target.value })} />
        </Field>
      );
    case "min_quantity":
      return (
        <div className="grid gap-2 sm:grid-cols-3">
          <Field label="At least this many units">
            <input className="field" type="number" min={1} value={value.quantity} onChange={(e) => onChange({ ...value, quantity: e.target.value })} />
          </Field>
          <Field label="Of">
            <select
              className="field"
              value={value.targetBy}
              onChange={(e) => onChange({ ...value, targetBy: e.target.value as ConditionForm["targetBy"] })}
            >
              <option value="any">anything</option>
              <option value="categories">these categories</option>
              <option value="products">these product ids</option>
              <option value="skus">these SKUs</option>
            </select>
          </Field>
          {value.targetBy !== "any" && (
            <Field label="Which (comma separated)">
              <input className="field" value={value.targetValues} onChange={(e) => onChange({ ...value, targetValues: e.target.value })} />
            </Field>
          )}
        </div>
      );
    case "first_order":
      return <p className="text-sm">Only for buyers who have never ordered.</p>;
    case "customer_groups":
      return (
        <Field label="Groups (comma separated)">
          <input className="field" value={value.groups} onChange={(e) => onChange({ ...value, groups: e.target.value })} />
        </Field>
      );
  }
}

interface Sample {
  sku: string;
  quantity: string;
  codes: string;
  shipping: string;
  group: string;
  firstOrder: boolean;
}

/** The preview's two pricings side by side. */
function PreviewResult({ preview }: { preview: Preview }) {
  const columns: [string, Preview["with"]][] = [
    ["Without it", preview.without],
    ["With it", preview.with],
  ];
  return (
    <div className="space-y-3">
      <p className={`font-semibold ${preview.applies ? "text-glow-300" : "text-amber-200"}`} data-testid="preview-verdict">
        {preview.applies ? "It applies to this cart." : `It does not apply: ${why(preview.why)}`}
      </p>
      <div className="grid gap-3 sm:grid-cols-2">
        {columns.map(([title, priced]) => (
          <section key={title} aria-label={title} className="rounded border border-night-700 p-3 text-sm">
            <h3 className="mb-2 font-semibold text-white">{title}</h3>
            <dl className="grid grid-cols-2 gap-1">
              <dt>Subtotal</dt>
              <dd className="text-right">{formatMoney(priced.totals.subtotal)}</dd>
              <dt>Discount</dt>
              <dd className="text-right">{formatMoney(priced.totals.discount)}</dd>
              <dt>Shipping</dt>
              <dd className="text-right">{formatMoney(priced.totals.shipping)}</dd>
              <dt>Shipping discount</dt>
              <dd className="text-right">{formatMoney(priced.totals.shipping_discount)}</dd>
              <dt>Tax</dt>
              <dd className="text-right">{formatMoney(priced.totals.tax)}</dd>
              <dt className="font-bold text-white">Total</dt>
              <dd className="text-right font-bold text-white">{formatMoney(priced.totals.total)}</dd>
            </dl>
            <h4 className="mt-2 font-semibold">Applied</h4>
            {priced.promotions.length === 0 ? (
              <p>None.</p>
            ) : (
              <ul>
                {priced.promotions.map((p) => (
                  <li key={p.id}>
                    {p.name}: −{formatMoney(p.amount)}
                  </li>
                ))}
              </ul>
            )}
            {priced.promotions_not_applied.length > 0 && (
              <>
                <h4 className="mt-2 font-semibold">Not applied</h4>
                <ul className="space-y-1">
                  {priced.promotions_not_applied.map((n, i) => (
                    <li key={`${n.id ?? n.code ?? ""}-${i}`}>
                      {n.name ?? n.code}: {why(n.why)}
                    </li>
                  ))}
                </ul>
              </>
            )}
          </section>
        ))}
      </div>
    </div>
  );
}

/** Creates or edits a promotion, with a live preview on a sample cart. */
export function PromotionEditor() {
  const { id } = useParams();
  const navigate = useNavigate();
  const config = useLoad(async () => unwrap(await api.GET("/api/v1/config")), []);
  const stock = useLoad(async () => unwrap(await api.GET("/api/v1/admin/inventory")), []);
  const stored = useLoad(
    async () => (id ? unwrap(await api.GET("/api/v1/admin/promotions/{id}", { params: { path: { id } } })) : null),
    [id],
  );
  // The form starts from the stored promotion (or an empty one) and holds the edits from the first change on.
  const [edited, setForm] = useState<PromotionForm | null>(null);
  const start = useMemo(() => (stored.data ? formOf(stored.data) : emptyPromotion()), [stored.data]);
  const form = edited ?? start;
  const [sample, setSample] = useState<Sample>({ sku: "", quantity: "1", codes: "", shipping: "9.99", group: "", firstOrder: true });
  const [preview, setPreview] = useState<Preview | null>(null);
  const [previewProblem, setPreviewProblem] = useState<string | null>(null);
  const [done, setDone] = useState("");
  const save = useAction();
  const currency = config.data?.currency ?? "USD";
  const firstSku = stock.data?.data[0]?.sku ?? "";
  const sku = sample.sku || firstSku;

  // The preview follows the form and the sample cart, a moment after the last change.
  useEffect(() => {
    if (!sku || (id && !stored.data)) return;
    let current = true;
    const timer = setTimeout(() => {
      const body = {
        promotion: draftOf(form, currency),
        replaces: id ?? null,
        cart: {
          lines: [{ sku, quantity: Number(sample.quantity) }],
          codes: sample.codes.split(",").map((c) => c.trim()).filter(Boolean),
          shipping: sample.shipping.trim() || null,
          customer_group: sample.group.trim() || null,
          first_order: sample.firstOrder,
        },
      };
      withSession(async () => unwrap(await api.POST("/api/v1/admin/promotions/preview", { body })))
        .then((answer) => {
          if (!current) return;
          setPreview(answer);
          setPreviewProblem(null);
        })
        .catch((e: unknown) => {
          if (current) setPreviewProblem(describe(e));
        });
    }, 300);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [form, sample, sku, currency, id, stored.data]);

  const set = (change: Partial<PromotionForm>) => setForm((f) => ({ ...(f ?? form), ...change }));
  const setAction = (change: Partial<PromotionForm["action"]>) =>
    setForm((f) => {
      const base = f ?? form;
      return { ...base, action: { ...base.action, ...change } };
    });
  const setCondition = (i: number, c: ConditionForm) =>
    setForm((f) => {
      const base = f ?? form;
      return { ...base, conditions: base.conditions.map((x, j) => (j === i ? c : x)) };
    });
  const a = form.action;

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setDone("");
    const draft = draftOf(form, currency);
    const saved = await save.run(async () =>
      id
        ? unwrap(await api.PATCH("/api/v1/admin/promotions/{id}", { params: { path: { id } }, body: draft }))
        : unwrap(await api.POST("/api/v1/admin/promotions", { body: draft })),
    );
    if (saved) {
      setDone(`Saved ${saved.name ?? ""}.`);
      setForm(null);
      if (id) stored.set(saved);
      else if (saved.id) void navigate(`/promotions/${saved.id}`, { replace: true });
    }
  }

  if (id && !stored.data) {
    return (
      <>
        <PageTitle>Promotion</PageTitle>
        <Problem>{stored.error}</Problem>
        {!stored.error && <p role="status">Loading…</p>}
      </>
    );
  }
  return (
    <>
      <PageTitle
        actions={
          <Link to="/promotions" className="text-sm underline">
            All promotions
          </Link>
        }
      >
        {id ? `Edit ${stored.data?.name ?? ""}` : "New promotion"}
      </PageTitle>
      <div className="grid gap-6 xl:grid-cols-2">
        <form onSubmit={(e) => void submit(e)} className="space-y-4" aria-label="Promotion">
          <div className="grid gap-3 sm:grid-cols-2">
            <Field label="Name">
              <input className="field" required value={form.name} onChange={(e) => set({ name: e.target.value })} />
            </Field>
            <Field label="Code (empty: applies automatically)">
              <input className="field" value={form.code} onChange={(e) => set({ code: e.target.value })} />
            </Field>
          </div>
          <fieldset className="space-y-3 rounded border border-night-700 p-3">
            <legend className="px-1 font-semibold text-white">What it gives</legend>
            <Field label="Kind">
              <select className="field" value={a.type} onChange={(e) => setAction({ type: e.target.value as ActionType })}>
                {Object.entries(actionNames).map(([type, name]) => (
                  <option key={type} value={type}>
                    {name}
                  </option>
                ))}
              </select>
            </Field>
            {(a.type === "order_percentage" || a.type === "items_percentage" || a.type === "buy_x_get_y") && (
              <Field label={a.type === "buy_x_get_y" ? "Percentage off the free units (100 = free)" : "Percentage off"}>
                <input className="field" inputMode="decimal" value={a.percentage} onChange={(e) => setAction({ percentage: e.target.value })} />
              </Field>
            )}
            {(a.type === "order_amount" || a.type === "items_amount") && (
              <Field label={a.type === "items_amount" ? `Amount off each unit (${currency})` : `Amount off (${currency})`}>
                <input className="field" inputMode="decimal" value={a.amount} onChange={(e) => setAction({ amount: e.target.value })} />
              </Field>
            )}
            {(a.type === "items_percentage" || a.type === "items_amount") && (
              <TargetFields legend="Items discounted" value={a.target} onChange={(target) => setAction({ target })} />
            )}
            {a.type === "buy_x_get_y" && (
              <>
                <TargetFields legend="Bought" value={a.buy} onChange={(buy) => setAction({ buy })} />
                <div className="grid gap-2 sm:grid-cols-3">
                  <Field label="Units bought">
                    <input className="field" type="number" min={1} value={a.buyQuantity} onChange={(e) => setAction({ buyQuantity: e.target.value })} />
                  </Field>
                  <Field label="Units given">
                    <input className="field" type="number" min={1} value={a.getQuantity} onChange={(e) => setAction({ getQuantity: e.target.value })} />
                  </Field>
                  <Field label="At most (times per cart)">
                    <input className="field" type="number" min={1} value={a.maxApplications} onChange={(e) => setAction({ maxApplications: e.target.value })} />
                  </Field>
                </div>
                <TargetFields legend="Given" value={a.get} onChange={(get) => setAction({ get })} />
              </>
            )}
          </fieldset>
          <fieldset className="space-y-3 rounded border border-night-700 p-3">
            <legend className="px-1 font-semibold text-white">Conditions</legend>
            {form.conditions.length === 0 && <p className="text-sm">None: it applies to every cart.</p>}
            {form.conditions.map((c, i) => (
              <div key={i} className="space-y-2 border-b border-night-800 pb-3">
                <p className="flex items-center justify-between text-sm font-semibold">
                  {conditionNames[c.type]}
                  <button
                    type="button"
                    className="button-quiet"
                    onClick={() => set({ conditions: form.conditions.filter((_, j) => j !== i) })}
                  >
                    Remove<span className="sr-only"> {conditionNames[c.type].toLowerCase()}</span>
                  </button>
                </p>
                <ConditionFields value={c} onChange={(next) => setCondition(i, next)} />
              </div>
            ))}
            <div className="flex flex-wrap gap-2">
              {(Object.keys(conditionNames) as ConditionType[]).map((type) => (
                <button
                  key={type}
                  type="button"
                  className="button-quiet text-sm"
                  onClick={() => set({ conditions: [...form.conditions, emptyCondition(type)] })}
                >
                  Add: {conditionNames[type].toLowerCase()}
                </button>
              ))}
            </div>
          </fieldset>
          <fieldset className="grid gap-3 rounded border border-night-700 p-3 sm:grid-cols-2">
            <legend className="px-1 font-semibold text-white">When and how often</legend>
            <Field label="Starts (UTC)">
              <input className="field" type="datetime-local" value={form.starts} onChange={(e) => set({ starts: e.target.value })} />
            </Field>
            <Field label="Ends (UTC)">
              <input className="field" type="datetime-local" value={form.ends} onChange={(e) => set({ ends: e.target.value })} />
            </Field>
            <Field label="Uses in all (empty: no limit)">
              <input className="field" type="number" min={1} value={form.usageLimit} onChange={(e) => set({ usageLimit: e.target.value })} />
            </Field>
            <Field label="Uses per customer (empty: no limit)">
              <input className="field" type="number" min={1} value={form.perCustomer} onChange={(e) => set({ perCustomer: e.target.value })} />
            </Field>
            <Field label="Priority (lower applies first)">
              <input className="field" type="number" min={0} value={form.priority} onChange={(e) => set({ priority: e.target.value })} />
            </Field>
            <div className="space-y-1 text-sm">
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={form.enabled} onChange={(e) => set({ enabled: e.target.checked })} />
                On
              </label>
              <label className="flex items-center gap-2">
                <input type="checkbox" checked={form.exclusive} onChange={(e) => set({ exclusive: e.target.checked })} />
                Exclusive (no other promotion on the same order)
              </label>
            </div>
            <fieldset className="sm:col-span-2">
              <legend className="text-sm">Combines with</legend>
              <div className="flex gap-4 text-sm">
                {(["order", "product", "shipping"] as const).map((k) => (
                  <label key={k} className="flex items-center gap-2">
                    <input
                      type="checkbox"
                      checked={form.combines[k]}
                      onChange={(e) => set({ combines: { ...form.combines, [k]: e.target.checked } })}
                    />
                    {k} discounts
                  </label>
                ))}
              </div>
            </fieldset>
          </fieldset>
          <Problem>{save.error}</Problem>
          <Done>{done}</Done>
          <button type="submit" className="button" disabled={save.busy}>
            {id ? "Save" : "Create"}
          </button>
        </form>
        <section aria-labelledby="preview-title" className="space-y-3 self-start rounded border border-night-700 p-4 xl:sticky xl:top-4">
          <h2 id="preview-title" className="font-semibold text-white">
            Preview on a sample cart
          </h2>
          <div className="grid gap-2 sm:grid-cols-3">
            <Field label="SKU">
              <select className="field" value={sku} onChange={(e) => setSample({ ...sample, sku: e.target.value })}>
                {stock.data?.data.map((s) => (
                  <option key={s.sku} value={s.sku}>
                    {s.sku}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Quantity">
              <input className="field" type="number" min={1} value={sample.quantity} onChange={(e) => setSample({ ...sample, quantity: e.target.value })} />
            </Field>
            <Field label={`Shipping (${currency})`}>
              <input className="field" inputMode="decimal" value={sample.shipping} onChange={(e) => setSample({ ...sample, shipping: e.target.value })} />
            </Field>
            <Field label="Other codes entered">
              <input className="field" value={sample.codes} onChange={(e) => setSample({ ...sample, codes: e.target.value })} />
            </Field>
            <Field label="Customer group">
              <input className="field" value={sample.group} onChange={(e) => setSample({ ...sample, group: e.target.value })} />
            </Field>
            <label className="flex items-center gap-2 self-end text-sm">
              <input type="checkbox" checked={sample.firstOrder} onChange={(e) => setSample({ ...sample, firstOrder: e.target.checked })} />
              First order
            </label>
          </div>
          <div aria-live="polite">
            {previewProblem ? <p className="text-amber-200">Not previewed yet: {previewProblem}</p> : preview && <PreviewResult preview={preview} />}
          </div>
        </section>
      </div>
    </>
  );
}
