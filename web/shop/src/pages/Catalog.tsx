import type { Product } from "@nite/client";
import { useEffect, useId, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api, describe, unwrap } from "../api";
import { Price, Stars } from "../components/Price";
import { compareAmounts } from "@nite/client";
import { usePageTitle } from "../title";

const categories = [
  { value: "", label: "All" },
  { value: "basic", label: "Basic" },
  { value: "pro", label: "Pro" },
  { value: "complete", label: "Complete System" },
];

/** The lowest selling price of a product's variants (by exact comparison of the API's decimal strings). */
function cheapest(product: Product) {
  return product.variants.reduce<Product["variants"][number] | undefined>(
    (low, v) => (!low || compareAmounts(v.price.amount, low.price.amount) < 0 ? v : low),
    undefined,
  );
}

/** Sorts by price without converting amounts to floats. */
export function sortProducts(products: Product[], sort: string): Product[] {
  if (sort !== "price_asc" && sort !== "price_desc") return products;
  const direction = sort === "price_asc" ? 1 : -1;
  return [...products].sort(
    (a, b) => direction * compareAmounts(cheapest(a)?.price.amount ?? "0", cheapest(b)?.price.amount ?? "0"),
  );
}

/** The catalog: category filter, text search and price sort, all kept in the URL. */
export function Catalog() {
  const [params, setParams] = useSearchParams();
  const category = params.get("category") ?? "";
  const q = params.get("q") ?? "";
  const sort = params.get("sort") ?? "featured";
  const [products, setProducts] = useState<Product[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [search, setSearch] = useState(q);
  const searchId = useId();
  const sortId = useId();
  usePageTitle(null);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const query = { limit: 100, ...(category ? { category } : {}), ...(q ? { q } : {}) };
        const page = unwrap(await api.GET("/api/v1/products", { params: { query } }));
        if (live) {
          setError(null);
          setProducts(page.data);
        }
      } catch (e) {
        if (live) setError(describe(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [category, q]);

  function update(key: string, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  }

  const shown = products ? sortProducts(products, sort) : null;
  return (
    <div className="space-y-8">
      <section className="rounded-2xl bg-gradient-to-br from-night-800 to-night-950 p-8">
        <h1 className="text-3xl font-bold text-white sm:text-4xl">Putt after dark</h1>
        <p className="mt-3 max-w-2xl text-gray-200">
          NitePutter cup lights turn any putting green into a night course. Pick the light that fits your game.
        </p>
      </section>

      <section aria-labelledby="catalog-title" className="min-h-[36rem] space-y-4">
        <h2 id="catalog-title" className="sr-only">
          Products
        </h2>
        <div className="flex flex-wrap items-end gap-4">
          <fieldset className="flex flex-wrap gap-2">
            <legend className="mb-1 text-sm text-gray-300">Category</legend>
            {categories.map((c) => (
              <label
                key={c.value}
                className="cursor-pointer rounded-full border border-night-700 px-3 py-1 text-sm has-[:checked]:bg-glow-400 has-[:checked]:text-night-950 has-[:focus-visible]:outline-3 has-[:focus-visible]:outline-glow-300"
              >
                <input
                  type="radio"
                  name="category"
                  value={c.value}
                  checked={category === c.value}
                  onChange={() => update("category", c.value)}
                  className="sr-only"
                />
                {c.label}
              </label>
            ))}
          </fieldset>
          <form
            role="search"
            onSubmit={(e) => {
              e.preventDefault();
              update("q", search.trim());
            }}
            className="flex gap-2"
          >
            <div className="flex flex-col">
              <label htmlFor={searchId} className="mb-1 text-sm text-gray-300">
                Search
              </label>
              <input
                id={searchId}
                type="search"
                value={search}
                onChange={(e) => setSearch(e.target.value)}
                className="rounded border border-night-700 bg-night-900 px-3 py-1.5"
              />
            </div>
            <button type="submit" className="self-end rounded bg-night-700 px-3 py-1.5 text-white">
              Search
            </button>
          </form>
          <div className="flex flex-col">
            <label htmlFor={sortId} className="mb-1 text-sm text-gray-300">
              Sort by
            </label>
            <select
              id={sortId}
              value={sort}
              onChange={(e) => update("sort", e.target.value === "featured" ? "" : e.target.value)}
              className="rounded border border-night-700 bg-night-900 px-3 py-1.5"
            >
              <option value="featured">Featured</option>
              <option value="price_asc">Price: low to high</option>
              <option value="price_desc">Price: high to low</option>
            </select>
          </div>
        </div>

        {error && (
          <p role="alert" className="rounded bg-red-950 p-3 text-red-100">
            {error}
          </p>
        )}
        {!shown && !error && <p>Loading the lights…</p>}
        {shown && shown.length === 0 && <p>No lights match. Try another search or category.</p>}
        {shown && shown.length > 0 && (
          <ul className="grid gap-6 sm:grid-cols-2 lg:grid-cols-3" aria-label="Products" data-testid="product-list">
            {shown.map((p) => {
              const low = cheapest(p);
              const image = p.images[0];
              return (
                <li key={p.id} className="flex flex-col overflow-hidden rounded-xl border border-night-800 bg-night-900">
                  {image && (
                    <img src={image.url} alt={image.alt} width={600} height={450} className="aspect-[4/3] w-full object-cover" />
                  )}
                  <div className="flex flex-1 flex-col gap-2 p-4">
                    <h3 className="text-lg font-semibold text-white">
                      <Link to={`/products/${p.slug}`} className="after:absolute-0 hover:underline">
                        {p.name}
                      </Link>
                    </h3>
                    {low && <Price price={low.price} compareAt={low.compare_at_price} />}
                    {p.reviews_summary.count > 0 && p.reviews_summary.average && (
                      <p className="text-sm">
                        <Stars value={p.reviews_summary.average} /> ({p.reviews_summary.count})
                      </p>
                    )}
                    <p className={p.in_stock ? "text-sm text-glow-300" : "text-sm text-amber-200"}>
                      {p.in_stock ? "In stock" : "Out of stock"}
                    </p>
                  </div>
                </li>
              );
            })}
          </ul>
        )}
      </section>
    </div>
  );
}
