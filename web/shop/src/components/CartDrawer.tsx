import { useEffect, useRef, type KeyboardEvent } from "react";
import { Link } from "react-router";
import { useCart } from "../store/cart";
import { CartContents } from "./CartContents";

/**
 * The cart as a drawer: a modal `<dialog>`, so the rest of the page is inert (focus stays inside), Escape closes
 * it, and focus returns to where it was.
 */
export function CartDrawer() {
  const open = useCart((s) => s.drawerOpen);
  const close = useCart((s) => s.closeDrawer);
  const cart = useCart((s) => s.cart);
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<Element | null>(null);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) {
      opener.current = document.activeElement;
      d.showModal();
      d.querySelector<HTMLElement>("[data-autofocus]")?.focus();
    } else if (!open && d.open) {
      d.close();
    }
  }, [open]);

  // A modal dialog makes the page inert, but Tab can still leave for the browser's own controls: keep it inside.
  function trapTab(event: KeyboardEvent<HTMLDialogElement>) {
    if (event.key !== "Tab" || !dialog.current) return;
    const focusable = Array.from(
      dialog.current.querySelectorAll<HTMLElement>("a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex='-1'])"),
    );
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (event.shiftKey && document.activeElement === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && document.activeElement === last) {
      event.preventDefault();
      first.focus();
    }
  }

  return (
    <dialog
      ref={dialog}
      onKeyDown={trapTab}
      aria-labelledby="cart-title"
      onClose={() => {
        close();
        if (opener.current instanceof HTMLElement) opener.current.focus();
      }}
      className="fixed top-0 right-0 left-auto m-0 h-dvh max-h-none w-full max-w-md overflow-y-auto bg-night-900 p-6 text-gray-100 shadow-2xl"
    >
      <div className="mb-6 flex items-center justify-between">
        <h2 id="cart-title" className="text-xl font-semibold text-white">
          Your cart
        </h2>
        <button type="button" onClick={close} data-autofocus className="rounded px-2 py-1 underline">
          Close<span className="sr-only"> cart</span>
        </button>
      </div>
      <CartContents onNavigate={close} />
      {cart && cart.lines.length > 0 && (
        <Link
          to="/checkout/details"
          onClick={close}
          className="mt-6 block rounded bg-glow-400 px-4 py-3 text-center font-semibold text-night-950 hover:bg-glow-300"
        >
          Check out
        </Link>
      )}
    </dialog>
  );
}
