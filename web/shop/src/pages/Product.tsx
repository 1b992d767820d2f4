import type { Product as ProductT, Review } from "@nite/client";
import { useEffect, useId, useRef, useState, type SyntheticEvent, type KeyboardEvent } from "react";
import { Link, useParams } from "react-router";
import { api, describe, unwrap } from "../api";
import { Price, Stars } from "../components/Price";
import { useCart } from "../store/cart";
import { useSession, withSession } from "../store/session";
import { usePageTitle } from "../title";

/** The product the server wrote into the page (`<script id="nite-product">`), if it is this one. */
function inlined(slug: string): ProductT | null {
  const script = document.getElementById("nite-product");
  if (!script?.textContent) return null;
  try {
    const product = JSON.parse(script.textContent) as ProductT;
    return product.slug === slug ? product : null;
  } catch {
    return null;
  }
}

export function Product() {
  const { slug = "" } = useParams();
  const [product, setProduct] = useState<ProductT | null>(() => inlined(slug));
  const [error, setError] = useState<string | null>(null);
  usePageTitle(product?.name ?? null);

  useEffect(() => {
    if (product?.slug === slug) return;
    let live = true;
    void (async () => {
      try {
        const found = unwrap(await api.GET("/api/v1/products/{slug}", { params: { path: { slug } } }));
        if (live) setProduct(found);
      } catch (e) {
        if (live) setError(describe(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [slug, product?.slug]);

  if (error) {
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold text-white">This light is not here</h1>
        <p role="alert">{error}</p>
        <Link to="/" className="underline">
          Back to the shop
        </Link>
      </div>
    );
  }
  if (!product) return <p>Loading…</p>;
  return <ProductView product={product} />;
}

function ProductView({ product }: { product: ProductT }) {
  const add = useCart((s) => s.add);
  const openDrawer = useCart((s) => s.openDrawer);
  const firstInStock = product.variants.find((v) => v.in_stock) ?? product.variants[0];
  const [variantId, setVariantId] = useState(firstInStock?.id ?? "");
  const [quantity, setQuantity] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const variant = product.variants.find((v) => v.id === variantId) ?? firstInStock;
  const qtyId = useId();

  async function addToCart() {
    if (!variant) return;
    setBusy(true);
    setError(null);
    try {
      await add(variant.sku, quantity, variant.name ? `${product.name} (${variant.name})` : product.name);
      openDrawer();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <article className="space-y-10">
      <div className="grid gap-8 md:grid-cols-2">
        <Gallery product={product} />
        <div className="space-y-5">
          <h1 className="text-3xl font-bold text-white">{product.name}</h1>
          {product.reviews_summary.count > 0 && product.reviews_summary.average && (
            <p>
              <a href="#reviews" className="inline-flex items-center gap-2 underline">
                <Stars value={product.reviews_summary.average} /> {product.reviews_summary.average} ·{" "}
                {product.reviews_summary.count} {product.reviews_summary.count === 1 ? "review" : "reviews"}
              </a>
            </p>
          )}
          {variant && (
            <p className="text-2xl" data-testid="price">
              <Price price={variant.price} compareAt={variant.compare_at_price} />
            </p>
          )}
          <p className="text-gray-200">{product.description}</p>

          {product.variants.length > 1 && (
            <fieldset>
              <legend className="mb-2 font-medium text-white">Colour</legend>
              <div className="flex flex-wrap gap-2">
                {product.variants.map((v) => (
                  <label
                    key={v.id}
                    className="cursor-pointer rounded border border-night-700 px-3 py-2 has-[:checked]:border-glow-400 has-[:checked]:bg-night-800 has-[:focus-visible]:outline-3 has-[:focus-visible]:outline-glow-300"
                  >
                    <input
                      type="radio"
                      name="variant"
                      value={v.id}
                      checked={v.id === variant?.id}
                      onChange={() => setVariantId(v.id)}
                      className="sr-only"
                    />
                    {v.name || "Standard"}
                    {!v.in_stock && <span className="text-amber-200"> (out of stock)</span>}
                  </label>
                ))}
              </div>
            </fieldset>
          )}

          {variant && (
            <p className={variant.in_stock ? "text-glow-300" : "text-amber-200"} data-testid="stock">
              {variant.in_stock
                ? variant.available <= 5
                  ? `Only ${variant.available} left`
                  : "In stock, ships in 1 business day"
                : "Out of stock"}
            </p>
          )}

          <div className="flex items-end gap-3">
            <div className="flex flex-col">
              <label htmlFor={qtyId} className="mb-1 text-sm text-gray-300">
                Quantity
              </label>
              <select
                id={qtyId}
                value={quantity}
                onChange={(e) => setQuantity(Number(e.target.value))}
                className="rounded border border-night-700 bg-night-900 px-3 py-2"
              >
                {Array.from({ length: 10 }, (_, i) => i + 1).map((n) => (
                  <option key={n} value={n}>
                    {n}
                  </option>
                ))}
              </select>
            </div>
            <button
              type="button"
              onClick={() => void addToCart()}
              disabled={busy || !variant?.in_stock}
              className="rounded bg-glow-400 px-6 py-2.5 font-semibold text-night-950 hover:bg-glow-300 disabled:opacity-60"
            >
              {busy ? "Adding…" : "Add to cart"}
            </button>
          </div>
          {error && (
            <p role="alert" className="rounded bg-red-950 p-3 text-red-100">
              {error}
            </p>
          )}

          <section aria-labelledby="shipping-title" className="rounded bg-night-900 p-4 text-sm">
            <h2 id="shipping-title" className="font-semibold text-white">
              Shipping
            </h2>
            <p className="mt-1 text-gray-200">
              Ships from Austin, Texas within one business day. Standard, express and overnight options and their
              prices are shown at checkout; larger US orders ship free, and your cart shows how close you are.
            </p>
          </section>
        </div>
      </div>

      <div className="grid gap-8 md:grid-cols-2">
        <section aria-labelledby="features-title">
          <h2 id="features-title" className="mb-3 text-xl font-semibold text-white">
            Features
          </h2>
          <ul className="list-disc space-y-1 pl-5 text-gray-200">
            {product.features.map((f) => (
              <li key={f}>{f}</li>
            ))}
          </ul>
        </section>
        <section aria-labelledby="specs-title">
          <h2 id="specs-title" className="mb-3 text-xl font-semibold text-white">
            Technical specs
          </h2>
          <dl className="divide-y divide-night-800">
            {product.technical_specs.map((s) => (
              <div key={s.name} className="flex justify-between gap-4 py-2">
                <dt className="text-gray-300">{s.name}</dt>
                <dd className="text-right">{s.value}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>

      <Reviews product={product} />
    </article>
  );
}

/** The images, one large; the thumbnails choose it (arrow keys move between them). */
function Gallery({ product }: { product: ProductT }) {
  const [index, setIndex] = useState(0);
  const thumbs = useRef<(HTMLButtonElement | null)[]>([]);
  const images = product.images;
  const current = images[index] ?? images[0];
  if (!current) return null;

  function onKey(event: KeyboardEvent) {
    const last = images.length - 1;
    const next =
      event.key === "ArrowRight" || event.key === "ArrowDown"
        ? index === last ? 0 : index + 1
        : event.key === "ArrowLeft" || event.key === "ArrowUp"
          ? index === 0 ? last : index - 1
          : event.key === "Home"
            ? 0
            : event.key === "End"
              ? last
              : null;
    if (next === null) return;
    event.preventDefault();
    setIndex(next);
    thumbs.current[next]?.focus();
  }

  return (
    <div className="space-y-3">
      <img
        src={current.url}
        alt={current.alt}
        width={800}
        height={600}
        fetchPriority="high"
        className="aspect-[4/3] w-full rounded-xl bg-night-900 object-cover"
        data-testid="gallery-image"
      />
      {images.length > 1 && (
        <div role="toolbar" aria-label="Product images" className="flex gap-2" onKeyDown={onKey}>
          {images.map((image, i) => (
            <button
              key={image.url}
              ref={(el) => {
                thumbs.current[i] = el;
              }}
              type="button"
              tabIndex={i === index ? 0 : -1}
              aria-pressed={i === index}
              aria-label={`Image ${i + 1} of ${images.length}: ${image.alt}`}
              onClick={() => setIndex(i)}
              className="w-20 overflow-hidden rounded border-2 border-transparent aria-pressed:border-glow-400"
            >
              <img src={image.url} alt="" width={80} height={60} className="aspect-[4/3] w-full object-cover" />
            </button>
          ))}
        </div>
      )}
    </div>
  );
}

function Reviews({ product }: { product: ProductT }) {
  const [reviews, setReviews] = useState<Review[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const summary = product.reviews_summary;

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const page = unwrap(
          await api.GET("/api/v1/products/{slug}/reviews", { params: { path: { slug: product.slug }, query: { limit: 20 } } }),
        );
        if (live) setReviews(page.data);
      } catch (e) {
        if (live) setError(describe(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [product.slug]);

  return (
    <section id="reviews" aria-labelledby="reviews-title" className="space-y-4">
      <h2 id="reviews-title" className="text-xl font-semibold text-white">
        Reviews
      </h2>
      {summary.count > 0 && summary.average ? (
        <div className="flex flex-wrap items-center gap-6">
          <p className="text-lg">
            <Stars value={summary.average} /> {summary.average} out of 5 · {summary.count}{" "}
            {summary.count === 1 ? "review" : "reviews"}
          </p>
          <dl className="text-sm" aria-label="Ratings by stars">
            {[5, 4, 3, 2, 1].map((stars) => (
              <div key={stars} className="flex gap-2">
                <dt>{stars} stars</dt>
                <dd>{summary.histogram[stars - 1] ?? 0}</dd>
              </div>
            ))}
          </dl>
        </div>
      ) : (
        <p>No reviews yet.</p>
      )}
      {error && <p role="alert">{error}</p>}
      {reviews && reviews.length > 0 && (
        <ul className="space-y-4" data-testid="reviews">
          {reviews.map((r) => (
            <li key={r.id} className="rounded bg-night-900 p-4">
              <h3 className="font-semibold text-white">{r.title}</h3>
              <p className="text-sm">
                <Stars value={r.rating} label={`${r.rating} out of 5 stars`} /> by {r.author}
              </p>
              <p className="mt-2 whitespace-pre-line text-gray-200">{r.body}</p>
            </li>
          ))}
        </ul>
      )}
      <WriteReview slug={product.slug} />
    </section>
  );
}

function WriteReview({ slug }: { slug: string }) {
  const customer = useSession((s) => s.customer);
  const [rating, setRating] = useState(5);
  const [title, setTitle] = useState("");
  const [body, setBody] = useState("");
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (!customer) {
    return (
      <p>
        <Link to="/sign-in" className="underline">
          Sign in
        </Link>{" "}
        to review a light you bought.
      </p>
    );
  }

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await withSession(async () =>
        unwrap(await api.POST("/api/v1/products/{slug}/reviews", { params: { path: { slug } }, body: { rating, title, body } })),
      );
      setMessage("Thank you! Your review will appear once it has been checked.");
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  if (message) return <p role="status">{message}</p>;
  return (
    <form onSubmit={(e) => void submit(e)} className="max-w-xl space-y-3 rounded bg-night-900 p-4" aria-labelledby="write-title">
      <h3 id="write-title" className="font-semibold text-white">
        Write a review
      </h3>
      <label className="block">
        <span className="text-sm text-gray-300">Rating</span>
        <select
          value={rating}
          onChange={(e) => setRating(Number(e.target.value))}
          className="mt-1 block rounded border border-night-700 bg-night-950 px-3 py-2"
        >
          {[5, 4, 3, 2, 1].map((n) => (
            <option key={n} value={n}>
              {n} {n === 1 ? "star" : "stars"}
            </option>
          ))}
        </select>
      </label>
      <label className="block">
        <span className="text-sm text-gray-300">Title</span>
        <input
          required
          maxLength={120}
          value={title}
          onChange={(e) => setTitle(e.target.value)}
          className="mt-1 block w-full rounded border border-night-700 bg-night-950 px-3 py-2"
        />
      </label>
      <label className="block">
        <span className="text-sm text-gray-300">Review</span>
        <textarea
          required
          maxLength={5000}
          rows={4}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          className="mt-1 block w-full rounded border border-night-700 bg-night-950 px-3 py-2"
        />
      </label>
      {error && (
        <p role="alert" className="text-amber-200">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="rounded bg-night-700 px-4 py-2 font-medium text-white">
        Submit review
      </button>
    </form>
  );
}
