import { useMemo, useState, type FormEvent, type InputHTMLAttributes } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { api, unwrap, type ProductDraft, type StoredProduct } from "../api";
import { Done, PageTitle, Problem } from "../components/ui";
import { useAction, useLoad } from "../hooks";

interface VariantForm {
  id: string | null;
  sku: string;
  name: string;
  price: string;
  sale: string;
  weight: string;
  length: string;
  width: string;
  height: string;
  options: string;
}

interface Pair {
  a: string;
  b: string;
}

interface ProductForm {
  name: string;
  slug: string;
  category: string;
  tax_category: string;
  description: string;
  features: string;
  specs: Pair[];
  images: Pair[];
  variants: VariantForm[];
}

const emptyVariant = (): VariantForm => ({
  id: null,
  sku: "",
  name: "",
  price: "",
  sale: "",
  weight: "0",
  length: "0",
  width: "0",
  height: "0",
  options: "",
});

const emptyProduct = (): ProductForm => ({
  name: "",
  slug: "",
  category: "",
  tax_category: "standard",
  description: "",
  features: "",
  specs: [],
  images: [],
  variants: [emptyVariant()],
});

/** The form of a stored product. */
export function formOf(p: StoredProduct): ProductForm {
  return {
    name: p.name,
    slug: p.slug,
    category: p.category,
    tax_category: p.tax_category,
    description: p.description,
    features: p.features.join("\n"),
    specs: p.technical_specs.map((s) => ({ a: s.name, b: s.value })),
    images: p.images.map((i) => ({ a: i.url, b: i.alt })),
    variants: p.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      name: v.name,
      price: v.price.amount,
      sale: v.sale_price?.amount ?? "",
      weight: String(v.weight_grams),
      length: String(v.dimensions.length_mm),
      width: String(v.dimensions.width_mm),
      height: String(v.dimensions.height_mm),
      options: v.options.map((o) => `${o.name}=${o.value}`).join(", "),
    })),
  };
}

/** The draft the API takes, prices in `currency` as typed (the API validates them). */
export function draftOf(form: ProductForm, currency: string): ProductDraft {
  return {
    name: form.name,
    slug: form.slug,
    category: form.category,
    tax_category: form.tax_category,
    description: form.description,
    features: form.features
      .split("\n")
      .map((f) => f.trim())
      .filter(Boolean),
    technical_specs: form.specs.map((s) => ({ name: s.a, value: s.b })),
    images: form.images.map((i) => ({ url: i.a, alt: i.b })),
    variants: form.variants.map((v) => ({
      id: v.id,
      sku: v.sku,
      name: v.name,
      price: { amount: v.price.trim(), currency },
      sale_price: v.sale.trim() ? { amount: v.sale.trim(), currency } : null,
      weight_grams: Number(v.weight),
      dimensions: { length_mm: Number(v.length), width_mm: Number(v.width), height_mm: Number(v.height) },
      options: v.options
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean)
        .map((o) => {
          const [name = "", ...value] = o.split("=");
          return { name: name.trim(), value: value.join("=").trim() };
        }),
    })),
  };
}

function Pairs({
  legend,
  names,
  rows,
  onChange,
}: {
  legend: string;
  names: [string, string];
  rows: Pair[];
  onChange: (rows: Pair[]) => void;
}) {
  const set = (i: number, change: Partial<Pair>) => onChange(rows.map((r, j) => (j === i ? { ...r, ...change } : r)));
  return (
    <fieldset className="rounded border border-night-700 p-3">
      <legend className="px-1 font-semibold text-white">{legend}</legend>
      {rows.map((row, i) => (
        <div key={i} className="mb-2 grid gap-2 sm:grid-cols-[1fr_1fr_auto]">
          <label>
            <span className="sr-only">
              {names[0]} {i + 1}
            </span>
            <input className="field" placeholder={names[0]} value={row.a} onChange={(e) => set(i, { a: e.target.value })} />
          </label>
          <label>
            <span className="sr-only">
              {names[1]} {i + 1}
            </span>
            <input className="field" placeholder={names[1]} value={row.b} onChange={(e) => set(i, { b: e.target.value })} />
          </label>
          <button type="button" className="button-quiet" onClick={() => onChange(rows.filter((_, j) => j !== i))}>
            Remove<span className="sr-only"> {legend.toLowerCase()} {i + 1}</span>
          </button>
        </div>
      ))}
      <button type="button" className="button-quiet" onClick={() => onChange([...rows, { a: "", b: "" }])}>
        Add to {legend.toLowerCase()}
      </button>
    </fieldset>
  );
}

function Text({
  label,
  value,
  onChange,
  ...rest
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
} & Omit<InputHTMLAttributes<HTMLInputElement>, "value" | "onChange">) {
  return (
    <label className="block">
      <span className="mb-1 block text-sm">{label}</span>
      <input className="field" value={value} onChange={(e) => onChange(e.target.value)} {...rest} />
    </label>
  );
}

/** Creates or edits a product with its variants, prices, images, features and specs; removes it. */
export function ProductEditor() {
  const { id } = useParams();
  const navigate = useNavigate();
  const config = useLoad(async () => unwrap(await api.GET("/api/v1/config")), []);
  const stored = useLoad(
    async () => (id ? unwrap(await api.GET("/api/v1/admin/products/{id}", { params: { path: { id } } })) : null),
    [id],
  );
  // The form starts from the stored product (or an empty one) and holds the edits from the first change on.
  const [edited, setForm] = useState<ProductForm | null>(null);
  const start = useMemo(() => (stored.data ? formOf(stored.data) : emptyProduct()), [stored.data]);
  const form = edited ?? start;
  const [done, setDone] = useState("");
  const save = useAction();
  const set = (change: Partial<ProductForm>) => setForm((f) => ({ ...(f ?? form), ...change }));
  const setVariant = (i: number, change: Partial<VariantForm>) =>
    setForm((f) => {
      const base = f ?? form;
      return { ...base, variants: base.variants.map((v, j) => (j === i ? { ...v, ...change } : v)) };
    });
  const currency = stored.data?.variants[0]?.price.currency ?? config.data?.currency ?? "USD";

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setDone("");
    const draft = draftOf(form, currency);
    const saved = await save.run(async () =>
      id
        ? unwrap(await api.PATCH("/api/v1/admin/products/{id}", { params: { path: { id } }, body: draft }))
        : unwrap(await api.POST("/api/v1/admin/products", { body: draft })),
    );
    if (saved) {
      setDone(`Saved ${saved.name}.`);
      setForm(null);
      if (id) stored.set(saved);
      else void navigate(`/products/${saved.id}`, { replace: true });
    }
  }

  async function remove() {
    if (!id || !window.confirm(`Stop selling ${form.name}? Placed orders keep their copy.`)) return;
    const removed = await save.run(async () => {
      unwrap(await api.DELETE("/api/v1/admin/products/{id}", { params: { path: { id } } }));
      return true;
    });
    if (removed) void navigate("/products");
  }

  if (id && !stored.data) {
    return (
      <>
        <PageTitle>Product</PageTitle>
        <Problem>{stored.error}</Problem>
        {!stored.error && <p role="status">Loading…</p>}
      </>
    );
  }
  return (
    <>
      <PageTitle
        actions={
          <Link to="/products" className="text-sm underline">
            All products
          </Link>
        }
      >
        {id ? `Edit ${stored.data?.name ?? ""}` : "New product"}
      </PageTitle>
      <form onSubmit={(e) => void submit(e)} className="max-w-4xl space-y-4">
        <div className="grid gap-3 sm:grid-cols-2">
          <Text label="Name" value={form.name} onChange={(name) => set({ name })} required />
          <Text label="URL name (slug)" value={form.slug} onChange={(slug) => set({ slug })} required />
          <Text label="Category" value={form.category} onChange={(category) => set({ category })} required />
          <Text label="Tax category" value={form.tax_category} onChange={(tax_category) => set({ tax_category })} required />
        </div>
        <label className="block">
          <span className="mb-1 block text-sm">Description</span>
          <textarea className="field" rows={4} value={form.description} onChange={(e) => set({ description: e.target.value })} />
        </label>
        <label className="block">
          <span className="mb-1 block text-sm">Features (one per line)</span>
          <textarea className="field" rows={4} value={form.features} onChange={(e) => set({ features: e.target.value })} />
        </label>
        <Pairs legend="Specifications" names={["Name", "Value"]} rows={form.specs} onChange={(specs) => set({ specs })} />
        <Pairs legend="Images" names={["Image URL", "Alternative text"]} rows={form.images} onChange={(images) => set({ images })} />
        {form.variants.map((v, i) => (
          <fieldset key={v.id ?? `new-${i}`} className="rounded border border-night-700 p-3">
            <legend className="px-1 font-semibold text-white">
              Variant {i + 1}
              {v.sku ? `: ${v.sku}` : ""}
            </legend>
            <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
              <Text label="SKU" value={v.sku} onChange={(sku) => setVariant(i, { sku })} required />
              <Text label="Variant name" value={v.name} onChange={(name) => setVariant(i, { name })} required />
              <Text label="Options (name=value, comma separated)" value={v.options} onChange={(options) => setVariant(i, { options })} />
              <Text label={`Regular price (${currency})`} value={v.price} onChange={(price) => setVariant(i, { price })} inputMode="decimal" required />
              <Text
                label={`Sale price (${currency}, optional; the regular price shows as compare-at)`}
                value={v.sale}
                onChange={(sale) => setVariant(i, { sale })}
                inputMode="decimal"
              />
              <Text label="Weight (g)" value={v.weight} onChange={(weight) => setVariant(i, { weight })} type="number" min={0} required />
              <Text label="Length (mm)" value={v.length} onChange={(length) => setVariant(i, { length })} type="number" min={0} required />
              <Text label="Width (mm)" value={v.width} onChange={(width) => setVariant(i, { width })} type="number" min={0} required />
              <Text label="Height (mm)" value={v.height} onChange={(height) => setVariant(i, { height })} type="number" min={0} required />
            </div>
            {form.variants.length > 1 && (
              <button
                type="button"
                className="button-quiet mt-3"
                onClick={() => set({ variants: form.variants.filter((_, j) => j !== i) })}
              >
                Remove variant {i + 1}
              </button>
            )}
          </fieldset>
        ))}
        <button type="button" className="button-quiet" onClick={() => set({ variants: [...form.variants, emptyVariant()] })}>
          Add a variant
        </button>
        <Problem>{save.error}</Problem>
        <Done>{done}</Done>
        <div className="flex gap-3">
          <button type="submit" className="button" disabled={save.busy}>
            {id ? "Save" : "Create"}
          </button>
          {id && (
            <button type="button" className="button-danger" disabled={save.busy} onClick={() => void remove()}>
              Remove product
            </button>
          )}
        </div>
      </form>
    </>
  );
}
