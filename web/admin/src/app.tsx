import { useEffect } from "react";
import { Route, Routes } from "react-router";
import { Layout } from "./components/Layout";
import { PageTitle } from "./components/ui";
import { CustomerOrders, Customers } from "./pages/Customers";
import { Home } from "./pages/Home";
import { Inventory } from "./pages/Inventory";
import { OrderDetail } from "./pages/OrderDetail";
import { Orders } from "./pages/Orders";
import { ProductEditor } from "./pages/ProductEditor";
import { Products } from "./pages/Products";
import { PromotionEditor } from "./pages/PromotionEditor";
import { Promotions } from "./pages/Promotions";
import { Reviews } from "./pages/Reviews";
import { NoAccess, SignIn } from "./pages/SignIn";
import { isAdmin, useSession } from "./session";

/** The dashboard: sign-in first, then the sections for administrators (anyone else is told they have no access). */
export function App() {
  const status = useSession((s) => s.status);
  const who = useSession((s) => s.who);
  useEffect(() => {
    void useSession.getState().restore();
  }, []);
  if (status === "unknown") {
    return (
      <p role="status" className="p-8">
        Loading the dashboard…
      </p>
    );
  }
  if (status === "signed_out") return <SignIn />;
  if (!isAdmin(who)) return <NoAccess />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Home />} />
        <Route path="orders" element={<Orders />} />
        <Route path="orders/:id" element={<OrderDetail />} />
        <Route path="products" element={<Products />} />
        <Route path="products/new" element={<ProductEditor />} />
        <Route path="products/:id" element={<ProductEditor />} />
        <Route path="inventory" element={<Inventory />} />
        <Route path="promotions" element={<Promotions />} />
        <Route path="promotions/new" element={<PromotionEditor />} />
        <Route path="promotions/:id" element={<PromotionEditor />} />
        <Route path="reviews" element={<Reviews />} />
        <Route path="customers" element={<Customers />} />
        <Route path="customers/:id" element={<CustomerOrders />} />
        <Route path="*" element={<PageTitle>Not found</PageTitle>} />
      </Route>
    </Routes>
  );
}
