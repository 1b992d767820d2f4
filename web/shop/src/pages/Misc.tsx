import { Link } from "react-router";
import { CartContents } from "../components/CartContents";
import { useCart } from "../store/cart";
import { usePageTitle } from "../title";

export function NotFound() {
  usePageTitle("Not found");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold text-white">There is no page here</h1>
      <Link to="/" className="underline">
        Back to the shop
      </Link>
    </div>
  );
}

/** The cart as a page (the drawer's contents), for links and for a cart opened in a new tab. */
export function CartPage() {
  const cart = useCart((s) => s.cart);
  usePageTitle("Your cart");
  return (
    <div className="max-w-xl space-y-6">
      <h1 className="text-2xl font-bold text-white">Your cart</h1>
      <CartContents />
      {cart && cart.lines.length > 0 && (
        <Link to="/checkout/details" className="inline-block rounded bg-glow-400 px-6 py-3 font-semibold text-night-950">
          Check out
        </Link>
      )}
    </div>
  );
}
