import { useEffect, useRef } from "react";
import { Link, NavLink, Outlet, useLocation } from "react-router";
import { unitCount, useCart } from "../store/cart";
import { useSession } from "../store/session";
import { CartDrawer } from "./CartDrawer";
import { ErrorBoundary } from "./ErrorBoundary";

/** The frame of every page: skip link, header, the page, the cart drawer, the live region, the footer. */
export function Layout() {
  const cart = useCart((s) => s.cart);
  const openDrawer = useCart((s) => s.openDrawer);
  const announcement = useCart((s) => s.announcement);
  const customer = useSession((s) => s.customer);
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);

  // After navigating, move focus to the new page's content (screen readers announce it).
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);

  const count = unitCount(cart);
  return (
    <div className="flex min-h-dvh flex-col">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-night-950"
      >
        Skip to content
      </a>
      <header className="border-b border-night-800 bg-night-900">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3">
          <Link to="/" className="text-lg font-bold tracking-tight text-white">
            <span aria-hidden="true" className="text-glow-400">
              ●{" "}
            </span>
            NitePutter
          </Link>
          <nav aria-label="Main" className="flex items-center gap-4 text-sm">
            <NavLink to="/" end className={({ isActive }) => (isActive ? "text-white underline" : "text-gray-200")}>
              Shop
            </NavLink>
            {customer ? (
              <NavLink to="/account" className={({ isActive }) => (isActive ? "text-white underline" : "text-gray-200")}>
                Account
              </NavLink>
            ) : (
              <NavLink to="/sign-in" className={({ isActive }) => (isActive ? "text-white underline" : "text-gray-200")}>
                Sign in
              </NavLink>
            )}
            <button
              type="button"
              onClick={openDrawer}
              className="rounded bg-night-700 px-3 py-1.5 font-medium text-white"
              aria-label={`Cart, ${count} ${count === 1 ? "item" : "items"}`}
            >
              Cart ({count})
            </button>
          </nav>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="mx-auto w-full max-w-6xl flex-1 px-4 py-8 outline-none">
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
      <footer className="border-t border-night-800 px-4 py-6 text-center text-sm text-gray-300">
        NitePutter · putting lights for the green after dark · <a href="mailto:help@niteputter.example">help@niteputter.example</a>
      </footer>
      <CartDrawer />
      <p aria-live="polite" className="sr-only">
        {announcement}
      </p>
    </div>
  );
}
