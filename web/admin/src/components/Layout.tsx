import { useEffect, useRef } from "react";
import { NavLink, Outlet, useLocation } from "react-router";
import { useSession } from "../session";
import { ErrorBoundary } from "./ErrorBoundary";

const sections: [string, string][] = [
  ["/", "Home"],
  ["/orders", "Orders"],
  ["/products", "Products"],
  ["/inventory", "Inventory"],
  ["/promotions", "Promotions"],
  ["/reviews", "Reviews"],
  ["/customers", "Customers"],
];

/** The dashboard's frame: skip link, the sections, who is signed in, the page. */
export function Layout() {
  const who = useSession((s) => s.who);
  const signOut = useSession((s) => s.signOut);
  const location = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [location.pathname]);
  return (
    <div className="min-h-dvh lg:flex">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:text-night-950"
      >
        Skip to content
      </a>
      <header className="border-b border-night-800 bg-night-900 lg:w-56 lg:shrink-0 lg:border-r lg:border-b-0">
        <div className="flex flex-wrap items-center justify-between gap-3 px-4 py-3 lg:block">
          <p className="text-lg font-bold text-white">
            <span aria-hidden="true" className="text-glow-400">
              ●{" "}
            </span>
            NitePutter admin
          </p>
          <nav aria-label="Sections" className="lg:mt-6">
            <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm lg:flex-col lg:gap-1">
              {sections.map(([to, name]) => (
                <li key={to}>
                  <NavLink
                    to={to}
                    end={to === "/"}
                    className={({ isActive }) =>
                      `block rounded px-2 py-1 ${isActive ? "bg-night-700 font-semibold text-white" : "text-gray-200"}`
                    }
                  >
                    {name}
                  </NavLink>
                </li>
              ))}
            </ul>
          </nav>
          <div className="flex items-center gap-3 text-sm lg:mt-8 lg:block lg:space-y-2">
            <p className="text-gray-300">{who?.name}</p>
            <button type="button" className="button-quiet" onClick={() => void signOut()}>
              Sign out
            </button>
            <p>
              <a href="/" className="text-gray-300 underline">
                The shop
              </a>
            </p>
          </div>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1} className="min-w-0 flex-1 px-4 py-6 outline-none lg:px-8">
        <ErrorBoundary resetKey={location.pathname}>
          <Outlet />
        </ErrorBoundary>
      </main>
    </div>
  );
}
