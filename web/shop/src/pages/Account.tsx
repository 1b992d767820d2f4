import type { Order } from "@nite/client";
import { useEffect, useState, type SyntheticEvent } from "react";
import { Link, Navigate, useLocation, useNavigate, useSearchParams } from "react-router";
import { api, describe, unwrap } from "../api";
import { formatMoney } from "@nite/client";
import { useCart } from "../store/cart";
import { useSession, withSession } from "../store/session";
import { usePageTitle } from "../title";

const input = "mt-1 block w-full rounded border border-night-700 bg-night-900 px-3 py-2";
const primary = "rounded bg-glow-400 px-6 py-2.5 font-semibold text-night-950 disabled:opacity-60";

/** Where to go after signing in: `?next=` when it is a path of this shop, else the account. */
function nextPath(params: URLSearchParams): string {
  const next = params.get("next");
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/account";
}

/** A guest's cart becomes the customer's when they sign in. */
async function claimCart(): Promise<void> {
  const { cartId, setCart } = useCart.getState();
  if (!cartId) return;
  try {
    setCart(unwrap(await api.POST("/api/v1/carts/{id}/claim", { params: { path: { id: cartId } } })));
  } catch {
    // A cart that cannot be claimed (someone else's, or closed) stays as it is.
  }
}

export function SignIn() {
  const signIn = useSession((s) => s.signIn);
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  usePageTitle("Sign in");

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn(email, password);
      await claimCart();
      void navigate(nextPath(params), { replace: true });
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="mx-auto max-w-sm space-y-4">
      <h1 className="text-2xl font-bold text-white">Sign in</h1>
      <label className="block">
        <span className="text-sm text-gray-300">Email</span>
        <input type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} className={input} />
      </label>
      <label className="block">
        <span className="text-sm text-gray-300">Password</span>
        <input type="password" required autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} className={input} />
      </label>
      {error && (
        <p role="alert" className="rounded bg-red-950 p-3 text-red-100">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className={primary}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      <p className="text-sm">
        <Link to="/reset-password" className="underline">
          Forgot your password?
        </Link>{" "}
        ·{" "}
        <Link to="/register" className="underline">
          Create an account
        </Link>
      </p>
    </form>
  );
}

export function Register() {
  const register = useSession((s) => s.register);
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  usePageTitle("Create an account");

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await register(name, email, password);
      await claimCart();
      void navigate("/account", { replace: true });
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} className="mx-auto max-w-sm space-y-4">
      <h1 className="text-2xl font-bold text-white">Create an account</h1>
      <label className="block">
        <span className="text-sm text-gray-300">Name</span>
        <input required autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} className={input} />
      </label>
      <label className="block">
        <span className="text-sm text-gray-300">Email</span>
        <input type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} className={input} />
      </label>
      <label className="block">
        <span className="text-sm text-gray-300">Password (at least 10 characters)</span>
        <input type="password" required minLength={10} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} className={input} />
      </label>
      {error && (
        <p role="alert" className="rounded bg-red-950 p-3 text-red-100">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className={primary}>
        {busy ? "Creating…" : "Create account"}
      </button>
    </form>
  );
}

export function Account() {
  const status = useSession((s) => s.status);
  const customer = useSession((s) => s.customer);
  const setCustomer = useSession((s) => s.setCustomer);
  const signOut = useSession((s) => s.signOut);
  const navigate = useNavigate();
  const location = useLocation();
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  // What the shopper typed, or else the account's name.
  const [typed, setName] = useState<string | null>(null);
  const name = typed ?? customer?.name ?? "";
  const [saved, setSaved] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  usePageTitle("Your account");

  useEffect(() => {
    if (status !== "signed_in") return;
    let live = true;
    void (async () => {
      try {
        const page = await withSession(async () => unwrap(await api.GET("/api/v1/me/orders", { params: { query: { limit: 20 } } })));
        if (!live) return;
        setOrders(page.data);
        setCursor(page.next_cursor ?? null);
      } catch (e) {
        if (live) setError(describe(e));
      }
    })();
    return () => {
      live = false;
    };
  }, [status]);

  if (status === "unknown") return <p>Loading…</p>;
  if (status === "guest") return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname)}`} replace />;

  async function more() {
    if (!cursor) return;
    try {
      const page = await withSession(async () =>
        unwrap(await api.GET("/api/v1/me/orders", { params: { query: { limit: 20, cursor } } })),
      );
      setOrders((prev) => [...(prev ?? []), ...page.data]);
      setCursor(page.next_cursor ?? null);
    } catch (e) {
      setError(describe(e));
    }
  }

  async function rename(event: SyntheticEvent) {
    event.preventDefault();
    setSaved(null);
    setError(null);
    try {
      const updated = await withSession(async () => unwrap(await api.PATCH("/api/v1/me", { body: { name } })));
      setCustomer(updated);
      setSaved("Saved.");
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <div className="space-y-10">
      <div className="flex flex-wrap items-center justify-between gap-4">
        <h1 className="text-2xl font-bold text-white">Your account</h1>
        <button
          type="button"
          onClick={() => void signOut().then(() => navigate("/", { replace: true }))}
          className="rounded bg-night-700 px-4 py-2 text-white"
        >
          Sign out
        </button>
      </div>
      <section aria-labelledby="profile-title" className="max-w-sm space-y-3">
        <h2 id="profile-title" className="text-lg font-semibold text-white">
          Profile
        </h2>
        <p className="text-gray-200">{customer?.email}</p>
        <form onSubmit={(e) => void rename(e)} className="space-y-3">
          <label className="block">
            <span className="text-sm text-gray-300">Name</span>
            <input required value={name} onChange={(e) => setName(e.target.value)} className={input} />
          </label>
          <button type="submit" className="rounded bg-night-700 px-4 py-2 text-white">
            Save
          </button>
          {saved && <p role="status">{saved}</p>}
        </form>
      </section>
      <section aria-labelledby="orders-title" className="space-y-3">
        <h2 id="orders-title" className="text-lg font-semibold text-white">
          Orders
        </h2>
        {error && <p role="alert">{error}</p>}
        {orders && orders.length === 0 && <p>No orders yet.</p>}
        {orders && orders.length > 0 && (
          <ul className="divide-y divide-night-800" data-testid="order-history">
            {orders.map((o) => (
              <li key={o.id} className="flex flex-wrap justify-between gap-2 py-3">
                <Link to={`/orders/${o.id}`} className="underline">
                  Order {o.id}
                </Link>
                <span className="text-gray-200">{new Date(o.created_at).toLocaleDateString("en-US")}</span>
                <span>{o.state.replace("_", " ")}</span>
                <span>{formatMoney(o.totals.total)}</span>
              </li>
            ))}
          </ul>
        )}
        {cursor && (
          <button type="button" onClick={() => void more()} className="underline">
            Show older orders
          </button>
        )}
      </section>
    </div>
  );
}

/** Password reset: ask for the email, or (from the emailed link) set a new password. */
export function ResetPassword() {
  const [params] = useSearchParams();
  const [token] = useState(() => params.get("token"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  usePageTitle("Reset your password");

  // The token stays in memory only: out of the address bar, the history and any referrer.
  useEffect(() => {
    if (token) window.history.replaceState(null, "", "/reset-password");
  }, [token]);

  async function submit(event: SyntheticEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (token) {
        unwrap(await api.POST("/api/v1/auth/password-reset/confirm", { body: { token, new_password: password } }));
        setDone("Your password is changed. Sign in with the new one.");
      } else {
        unwrap(await api.POST("/api/v1/auth/password-reset", { body: { email } }));
        setDone("If an account has this email, a link to reset its password is on its way.");
      }
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="mx-auto max-w-sm space-y-4">
      <h1 className="text-2xl font-bold text-white">Reset your password</h1>
      {done ? (
        <div role="status" className="space-y-3">
          <p>{done}</p>
          {token && (
            <Link to="/sign-in" className="underline">
              Sign in
            </Link>
          )}
        </div>
      ) : (
        <form onSubmit={(e) => void submit(e)} className="space-y-4">
          {token ? (
            <label className="block">
              <span className="text-sm text-gray-300">New password (at least 10 characters)</span>
              <input type="password" required minLength={10} autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} className={input} />
            </label>
          ) : (
            <label className="block">
              <span className="text-sm text-gray-300">Email</span>
              <input type="email" required autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} className={input} />
            </label>
          )}
          {error && (
            <p role="alert" className="rounded bg-red-950 p-3 text-red-100">
              {error}
            </p>
          )}
          <button type="submit" disabled={busy} className={primary}>
            {token ? "Set new password" : "Email me a link"}
          </button>
        </form>
      )}
    </div>
  );
}
