import { beforeEach, describe, expect, it } from "vitest";
import { cartBody, fakeApi } from "../test/fakeApi";
import { unitCount, useCart } from "./cart";
import { useSession } from "./session";

beforeEach(async () => {
  localStorage.clear();
  useCart.setState({ cartId: null, cart: null, drawerOpen: false, announcement: "" });
  await useSession.getState().restore(); // no cookie: a guest
});

describe("the cart store", () => {
  it("opens a cart on the first add, remembers only its id, and shows the API's totals", async () => {
    const seen = fakeApi(({ method, path, body }) => {
      if (method === "POST" && path === "/api/v1/carts") return { status: 201, body: cartBody("cart_1", []) };
      if (method === "POST" && path === "/api/v1/carts/cart_1/items") {
        expect(body).toEqual({ sku: "NP-PRO-GRN", quantity: 2 });
        return { status: 201, body: cartBody("cart_1", [["NP-PRO-GRN", 2, "179.98"]], "194.83") };
      }
      return undefined;
    });
    const cart = await useCart.getState().add("NP-PRO-GRN", 2, "NitePutter Pro");
    expect(cart.totals.total.amount).toBe("194.83"); // what the API said, not 2 × anything
    expect(useCart.getState().cart?.totals.total.amount).toBe("194.83");
    expect(localStorage.getItem("nite.cart")).toBe("cart_1");
    expect(unitCount(useCart.getState().cart)).toBe(2);
    expect(useCart.getState().announcement).toBe("Added NitePutter Pro to your cart.");
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual(["POST /api/v1/carts", "POST /api/v1/carts/cart_1/items"]);
    expect(seen[0]?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("starts a new cart once when the remembered one is gone", async () => {
    localStorage.setItem("nite.cart", "cart_old");
    useCart.setState({ cartId: "cart_old" });
    const seen = fakeApi(({ method, path }) => {
      if (path === "/api/v1/carts/cart_old/items") {
        return { status: 409, body: { type: "", title: "", status: 409, detail: "checked out", code: "cart_not_open" } };
      }
      if (method === "POST" && path === "/api/v1/carts") return { status: 201, body: cartBody("cart_new", []) };
      if (path === "/api/v1/carts/cart_new/items") return { status: 201, body: cartBody("cart_new", [["NP-BASIC-GRN", 1, "49.99"]], "49.99") };
      return undefined;
    });
    await useCart.getState().add("NP-BASIC-GRN", 1);
    expect(useCart.getState().cartId).toBe("cart_new");
    expect(localStorage.getItem("nite.cart")).toBe("cart_new");
    expect(seen.filter((s) => s.method === "POST" && s.path === "/api/v1/carts")).toHaveLength(1);
  });

  it("keeps the cart when a change is refused for another reason", async () => {
    useCart.setState({ cartId: "cart_1", cart: cartBody("cart_1", [["NP-PRO-GRN", 1, "89.99"]], "89.99") as never });
    fakeApi(() => ({
      status: 409,
      body: { type: "", title: "", status: 409, detail: "only 3 left", code: "insufficient_stock", available: 3 },
    }));
    await expect(useCart.getState().setQuantity("line_0", 9)).rejects.toMatchObject({ code: "insufficient_stock" });
    expect(useCart.getState().cartId).toBe("cart_1");
    expect(useCart.getState().cart?.lines[0]?.quantity).toBe(1);
  });

  it("drops a remembered cart that no longer exists when loading", async () => {
    localStorage.setItem("nite.cart", "cart_gone");
    useCart.setState({ cartId: "cart_gone" });
    fakeApi(() => undefined);
    await useCart.getState().load();
    expect(useCart.getState().cartId).toBeNull();
    expect(localStorage.getItem("nite.cart")).toBeNull();
  });
});
