import { StrictMode, useEffect } from "react";
import { createRoot } from "react-dom/client";
import { BrowserRouter, Navigate, Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { Account, Register, ResetPassword, SignIn } from "./pages/Account";
import { Catalog } from "./pages/Catalog";
import { Checkout, CheckoutComplete } from "./pages/Checkout";
import { CartPage, NotFound } from "./pages/Misc";
import { Order } from "./pages/Order";
import { Product } from "./pages/Product";
import { useCart } from "./store/cart";
import { useSession } from "./store/session";

function App() {
  useEffect(() => {
    // The session first: a signed-in customer's cart opens only with their token.
    void (async () => {
      await useSession.getState().restore();
      await useCart.getState().load().catch(() => undefined);
    })();
  }, []);
  // The server knows the same pages (nite-http/src/web.rs) and answers others with 404.
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Catalog />} />
        <Route path="products/:slug" element={<Product />} />
        <Route path="cart" element={<CartPage />} />
        <Route path="checkout" element={<Navigate to="/checkout/details" replace />} />
        <Route path="checkout/complete" element={<CheckoutComplete />} />
        <Route path="checkout/:step" element={<Checkout />} />
        <Route path="orders/:id" element={<Order />} />
        <Route path="sign-in" element={<SignIn />} />
        <Route path="register" element={<Register />} />
        <Route path="reset-password" element={<ResetPassword />} />
        <Route path="account" element={<Account />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

/** Renders the storefront into `root` (replacing whatever the server put there). */
export function mount(root: HTMLElement): void {
  createRoot(root).render(
    <StrictMode>
      <BrowserRouter>
        <App />
      </BrowserRouter>
    </StrictMode>,
  );
}
