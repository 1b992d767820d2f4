import { ApiError, newIdempotencyKey, type Address, type Cart, type ShippingRate } from "@nite/client";
import { useEffect, useRef, useState, type SyntheticEvent, type ReactNode } from "react";
import { Link, Navigate, useNavigate, useParams, useSearchParams } from "react-router";
import { api, describe, unwrap } from "../api";
import { AddressBlock } from "../components/AddressBlock";
import { Totals } from "../components/Totals";
import { shopConfig } from "../config";
import { formatMoney } from "@nite/client";
import { useCart } from "../store/cart";
import { useSession, withSession } from "../store/session";
import { mountPaymentElement } from "../stripe";
import { usePageTitle } from "../title";

export const steps = [
  { slug: "details", label: "Contact and address" },
  { slug: "shipping", label: "Shipping" },
  { slug: "payment", label: "Payment" },
  { slug: "review", label: "Review" },
] as const;
export type Step = (typeof steps)[number]["slug"];

/** Which step a cart may be on: a later step needs what the earlier ones set. */
export function furthestStep(cart: Cart): Step {
  if (!cart.email || !cart.shipping_address) return "details";
  if (!cart.shipping_option) return "shipping";
  return "review";
}

export function stepIndex(step: string): number {
  return steps.findIndex((s) => s.slug === step);
}

/** How the test provider's payment should end (chosen on the payment step; kept for the page's life). */
let testOutcome: "succeeded" | "failed" = "succeeded";

export function Checkout() {
  const { step = "details" } = useParams();
  const cart = useCart((s) => s.cart);
  const cartId = useCart((s) => s.cartId);
  const load = useCart((s) => s.load);
  const [loaded, setLoaded] = useState(cart !== null);
  const current = stepIndex(step);
  const label = steps[current]?.label ?? "Checkout";
  usePageTitle(`Checkout: ${label}`);

  useEffect(() => {
    if (cart) return;
    void load().finally(() => setLoaded(true));
  }, [cart, load]);

  if (current < 0) return <Navigate to="/checkout/details" replace />;
  if (!cartId || (loaded && (!cart || cart.lines.length === 0))) {
    return (
      <div className="space-y-4">
        <h1 className="text-2xl font-bold text-white">Checkout</h1>
        <p>Your cart is empty.</p>
        <Link to="/" className="underline">
          Browse the lights
        </Link>
      </div>
    );
  }
  if (!cart) return <p>Loading your cart…</p>;
  const allowed = stepIndex(furthestStep(cart));
  if (current > allowed && step !== "payment") return <Navigate to={`/checkout/${steps[allowed]?.slug}`} replace />;

  return (
    <div className="grid gap-10 lg:grid-cols-[1fr_22rem]">
      <div className="space-y-6">
        <h1 className="text-2xl font-bold text-white">Checkout</h1>
        <nav aria-label="Checkout steps">
          <ol className="flex flex-wrap gap-x-4 gap-y-1 text-sm">
            {steps.map((s, i) => (
              <li key={s.slug} aria-current={i === current ? "step" : undefined} className={i === current ? "font-semibold text-white" : "text-gray-300"}>
                {i <= allowed && i !== current ? (
                  <Link to={`/checkout/${s.slug}`} className="underline">
                    {i + 1}. {s.label}
                  </Link>
                ) : (
                  <span>
                    {i + 1}. {s.label}
                  </span>
                )}
              </li>
            ))}
          </ol>
        </nav>
        <h2 className="text-xl font-semibold text-white">{label}</h2>
        {step === "details" && <Details cart={cart} />}
        {step === "shipping" && <ShippingStep cart={cart} />}
        {step === "payment" && <PaymentStep />}
        {step === "review" && <Review cart={cart} />}
      </div>
      <aside aria-label="Order summary" className="h-fit space-y-4 rounded-xl bg-night-900 p-5">
        <h2 className="font-semibold text-white">Order summary</h2>
        <ul className="space-y-1 text-sm">
          {cart.lines.map((l) => (
            <li key={l.id} className="flex justify-between gap-2">
              <span>
                {l.quantity} × {l.name}
              </span>
              <span>{formatMoney(l.total)}</span>
            </li>
          ))}
        </ul>
        <Totals totals={cart.totals} shippingChosen={cart.shipping_option != null} />
      </aside>
    </div>
  );
}

function Field(props: {
  label: string;
  name: string;
  value: string;
  onChange: (value: string) => void;
  required?: boolean;
  type?: string;
  autoComplete?: string;
}) {
  return (
    <label className="block">
      <span className="text-sm text-gray-300">
        {props.label}
        {props.required ? "" : " (optional)"}
      </span>
      <input
        name={props.name}
        type={props.type ?? "text"}
        required={props.required}
        autoComplete={props.autoComplete}
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        className="mt-1 block w-full rounded border border-night-700 bg-night-900 px-3 py-2"
      />
    </label>
  );
}

/** Countries whose addresses name a state or province. */
const regionRequired = new Set(["US", "CA", "AU"]);

const countries = [
  ["US", "United States"],
  ["CA", "Canada"],
  ["GB", "United Kingdom"],
  ["DE", "Germany"],
  ["AU", "Australia"],
] as const;

function Details({ cart }: { cart: Cart }) {
  const navigate = useNavigate();
  const setCart = useCart((s) => s.setCart);
  const customer = useSession((s) => s.customer);
  const a = cart.shipping_address;
  const [email, setEmail] = useState(cart.email ?? customer?.email ?? "");
  const [address, setAddress] = useState<Address>({
    name: a?.name ?? customer?.name ?? "",
    line1: a?.line1 ?? "",
    line2: a?.line2 ?? "",
    city: a?.city ?? "",
    region: a?.region ?? "",
    postal_code: a?.postal_code ?? "",
    country: a?.country ?? "US",
    phone: a?.phone ?? "",
  });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (key: keyof Address) => (value: string) => setAddress((prev) => ({ ...prev, [key]: value }));

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const shipping_address = {
        ...address,
        line2: address.line2 || null,
        region: address.region || null,
        phone: address.phone || null,
      };
      const updated = unwrap(
        await api.PUT("/api/v1/carts/{id}/addresses", { params: { path: { id: cart.id } }, body: { email, shipping_address } }),
      );
      setCart(updated);
      void navigate("/checkout/shipping");
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="grid max-w-xl gap-4 sm:grid-cols-2">
      <div className="sm:col-span-2">
        <Field label="Email" name="email" type="email" autoComplete="email" required value={email} onChange={setEmail} />
      </div>
      <div className="sm:col-span-2">
        <Field label="Full name" name="name" autoComplete="name" required value={address.name} onChange={set("name")} />
      </div>
      <div className="sm:col-span-2">
        <Field label="Street and number" name="line1" autoComplete="address-line1" required value={address.line1} onChange={set("line1")} />
      </div>
      <div className="sm:col-span-2">
        <Field label="Apartment, suite" name="line2" autoComplete="address-line2" value={address.line2 ?? ""} onChange={set("line2")} />
      </div>
      <Field label="City" name="city" autoComplete="address-level2" required value={address.city} onChange={set("city")} />
      <Field
        label="State or region"
        name="region"
        autoComplete="address-level1"
        required={regionRequired.has(address.country)}
        value={address.region ?? ""}
        onChange={set("region")}
      />
      <Field label="Postal code" name="postal_code" autoComplete="postal-code" required value={address.postal_code} onChange={set("postal_code")} />
      <label className="block">
        <span className="text-sm text-gray-300">Country</span>
        <select
          name="country"
          autoComplete="country"
          value={address.country}
          onChange={(e) => set("country")(e.target.value)}
          className="mt-1 block w-full rounded border border-night-700 bg-night-900 px-3 py-2"
        >
          {countries.map(([code, name]) => (
            <option key={code} value={code}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <div className="sm:col-span-2">
        <Field label="Phone, for the carrier" name="phone" type="tel" autoComplete="tel" value={address.phone ?? ""} onChange={set("phone")} />
      </div>
      {error && (
        <p role="alert" className="rounded bg-red-950 p-3 text-red-100 sm:col-span-2">
          {error}
        </p>
      )}
      <div className="sm:col-span-2">
        <Continue busy={busy}>Continue to shipping</Continue>
      </div>
    </form>
  );
}

function Continue({ busy, children }: { busy: boolean; children: ReactNode }) {
  return (
    <button type="submit" disabled={busy} className="rounded bg-glow-400 px-6 py-2.5 font-semibold text-night-950 disabled:opacity-60">
      {busy ? "Saving…" : children}
    </button>
  );
}

function ShippingStep({ cart }: { cart: Cart }) {
  const navigate = useNavigate();
  const setCart = useCart((s) => s.setCart);
  const [rates, setRates] = useState<ShippingRate[] | null>(null);
  const [chosen, setChosen] = useState(cart.shipping_option?.id ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const found = unwrap(await api.GET("/api/v1/carts/{id}/shipping-options", { params: { path: { id: cart.id } } }));
        if (!live) return;
        setRates(found.data);
        setChosen((c) => c || found.data[0]?.id || "");
      } catch (e) {
        if (live) setError(describe(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [cart.id]);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const updated = unwrap(
        await api.PUT("/api/v1/carts/{id}/shipping-option", { params: { path: { id: cart.id } }, body: { id: chosen } }),
      );
      setCart(updated);
      void navigate("/checkout/payment");
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="max-w-xl space-y-4">
      {!rates && !error && <p>Finding shipping options…</p>}
      {rates && rates.length === 0 && <p role="alert">Nothing ships to this address. Try another address.</p>}
      {rates && rates.length > 0 && (
        <fieldset className="space-y-2">
          <legend className="sr-only">Shipping option</legend>
          {rates.map((r) => (
            <label key={r.id} className="flex cursor-pointer items-center justify-between gap-3 rounded border border-night-700 p-3 has-[:checked]:border-glow-400">
              <span className="flex items-center gap-3">
                <input type="radio" name="shipping" value={r.id} checked={chosen === r.id} onChange={() => setChosen(r.id)} />
                <span>
                  {r.name} ({r.carrier})
                  {r.estimated_days != null && <span className="block text-sm text-gray-300">about {r.estimated_days} business days</span>}
                </span>
              </span>
              <span>{formatMoney(r.price)}</span>
            </label>
          ))}
        </fieldset>
      )}
      {error && (
        <p role="alert" className="rounded bg-red-950 p-3 text-red-100">
          {error}
        </p>
      )}
      <div className="flex gap-4">
        <Continue busy={busy}>Continue to payment</Continue>
        <Link to="/checkout/details" className="self-center underline">
          Back
        </Link>
      </div>
    </form>
  );
}

function PaymentStep() {
  const navigate = useNavigate();
  const [provider, setProvider] = useState<string | null>(null);
  const [outcome, setOutcome] = useState(testOutcome);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    shopConfig().then(
      (c) => setProvider(c.payments.provider),
      (e: unknown) => setError(describe(e)),
    );
  }, []);

  return (
    <form
      className="max-w-xl space-y-4"
      onSubmit={(e) => {
        e.preventDefault();
        testOutcome = outcome;
        void navigate("/checkout/review");
      }}
    >
      {error && <p role="alert">{error}</p>}
      {provider === "test" && (
        <fieldset className="space-y-2">
          <legend className="mb-2">This shop runs on the test payment provider: no card is charged.</legend>
          <label className="flex items-center gap-3 rounded border border-night-700 p-3">
            <input type="radio" name="test-card" checked={outcome === "succeeded"} onChange={() => setOutcome("succeeded")} />
            Test card that is accepted
          </label>
          <label className="flex items-center gap-3 rounded border border-night-700 p-3">
            <input type="radio" name="test-card" checked={outcome === "failed"} onChange={() => setOutcome("failed")} />
            Test card that is declined
          </label>
        </fieldset>
      )}
      {provider && provider !== "test" && <p>You will enter your card details securely after reviewing your order.</p>}
      <div className="flex gap-4">
        <button type="submit" className="rounded bg-glow-400 px-6 py-2.5 font-semibold text-night-950">
          Continue to review
        </button>
        <Link to="/checkout/shipping" className="self-center underline">
          Back
        </Link>
      </div>
    </form>
  );
}

function Review({ cart }: { cart: Cart }) {
  const navigate = useNavigate();
  const setCart = useCart((s) => s.setCart);
  const clear = useCart((s) => s.clear);
  const [placing, setPlacing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [changed, setChanged] = useState(false);
  const [stripe, setStripe] = useState<{ pay: () => Promise<string | null> } | null>(null);
  const key = useRef<string | null>(null);
  // Set synchronously: a second click in the same frame sees it before React re-renders the disabled button.
  const busy = useRef(false);
  const stripeBox = useRef<HTMLDivElement>(null);
  const a = cart.shipping_address;

  async function place() {
    if (busy.current) return;
    busy.current = true;
    setPlacing(true);
    setError(null);
    // One key per attempt: a double click or a retry after a network failure places one order.
    key.current ??= newIdempotencyKey();
    try {
      const placed = unwrap(
        await withSession(async () =>
          api.POST("/api/v1/carts/{id}/checkout", {
            params: { path: { id: cart.id }, header: { "Idempotency-Key": key.current ?? newIdempotencyKey() } },
          }),
        ),
      );
      const order = placed.order;
      if (!placed.payment) {
        clear();
        void navigate(`/orders/${order.id}`, { replace: true });
        return;
      }
      if (placed.payment.provider === "test") {
        try {
          unwrap(
            await api.POST("/api/v1/payments/{id}/test-confirm", {
              params: { path: { id: placed.payment.id } },
              body: { outcome: testOutcome },
            }),
          );
        } catch {
          // The order page tells what happened to the payment.
        }
        clear();
        void navigate(`/orders/${order.id}`, { replace: true });
        return;
      }
      const config = await shopConfig();
      if (!placed.payment.client_secret || !config.payments.publishable_key || !stripeBox.current) {
        clear();
        void navigate(`/orders/${order.id}`, { replace: true });
        return;
      }
      const returnUrl = `${window.location.origin}/checkout/complete?order=${encodeURIComponent(order.id)}`;
      setStripe(await mountPaymentElement(config.payments.publishable_key, placed.payment.client_secret, stripeBox.current, returnUrl));
      busy.current = false;
      setPlacing(false);
    } catch (e) {
      if (e instanceof ApiError && e.code === "cart_changed") {
        const repriced = e.problem.cart as Cart | undefined;
        if (repriced) setCart(repriced);
        setChanged(true);
        key.current = null;
      } else if (e instanceof ApiError) {
        key.current = null;
        setError(describe(e));
      } else {
        setError(describe(e));
      }
      busy.current = false;
      setPlacing(false);
    }
  }

  return (
    <div className="max-w-xl space-y-6">
      <section aria-labelledby="ship-to" className="space-y-1">
        <h3 id="ship-to" className="font-semibold text-white">
          Ship to
        </h3>
        {a && (
          <AddressBlock address={a} />
        )}
        <p className="text-gray-200">{cart.email}</p>
        <Link to="/checkout/details" className="text-sm underline">
          Change address
        </Link>
      </section>
      {cart.shipping_option && (
        <section aria-labelledby="ship-by" className="space-y-1">
          <h3 id="ship-by" className="font-semibold text-white">
            Shipping
          </h3>
          <p className="text-gray-200">
            {cart.shipping_option.name} ({cart.shipping_option.carrier}), {formatMoney(cart.shipping_option.price)}
          </p>
          <Link to="/checkout/shipping" className="text-sm underline">
            Change shipping
          </Link>
        </section>
      )}
      {changed && (
        <div role="alert" className="rounded border border-amber-300 bg-amber-950 p-4 text-amber-100" data-testid="total-changed">
          <p className="font-semibold">Your total changed</p>
          <p>
            Prices or discounts changed since you last saw your cart. The new total is{" "}
            <strong>{formatMoney(cart.totals.total)}</strong>. Place the order again to accept it.
          </p>
        </div>
      )}
      {error && (
        <p role="alert" className="rounded bg-red-950 p-3 text-red-100">
          {error}
        </p>
      )}
      <div ref={stripeBox} />
      {stripe ? (
        <button
          type="button"
          className="rounded bg-glow-400 px-6 py-3 font-semibold text-night-950"
          onClick={() => {
            // The order is placed: the cart is done with, whatever the card does.
            void stripe.pay().then((message) => (message ? setError(message) : clear()));
          }}
        >
          Pay {formatMoney(cart.totals.total)}
        </button>
      ) : (
        <div className="flex gap-4">
          <button
            type="button"
            onClick={() => void place()}
            disabled={placing}
            aria-disabled={placing}
            className="rounded bg-glow-400 px-6 py-3 font-semibold text-night-950 disabled:opacity-60"
          >
            {placing ? "Placing your order…" : `Place order · ${formatMoney(cart.totals.total)}`}
          </button>
          <Link to="/checkout/payment" className="self-center underline">
            Back
          </Link>
        </div>
      )}
    </div>
  );
}

/** Where Stripe returns after a 3-D Secure check: on to the order, which shows the payment's outcome. */
export function CheckoutComplete() {
  const [params] = useSearchParams();
  const order = params.get("order");
  if (!order) return <Navigate to="/" replace />;
  return <Navigate to={`/orders/${encodeURIComponent(order)}`} replace />;
}
