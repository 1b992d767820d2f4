// The shopper's cart. Only its id is remembered across reloads (localStorage `nite.cart`): the id opens that cart
// and nothing else (it is no sign-in token). Every change answers with the whole priced cart, which replaces the
// one shown: the page never computes a price or a total.
import { newIdempotencyKey, type Cart } from "@nite/client";
import { create } from "zustand";
import { ApiError, api, unwrap } from "../api";
import { sessionKnown } from "./session";

const KEY = "nite.cart";

function storedId(): string | null {
  try {
    return globalThis.localStorage?.getItem(KEY) ?? null;
  } catch {
    return null;
  }
}

function storeId(id: string | null): void {
  try {
    if (id) globalThis.localStorage?.setItem(KEY, id);
    else globalThis.localStorage?.removeItem(KEY);
  } catch {
    // Storage can be off (private windows): the cart then lasts as long as the page.
  }
}

/** Whether an error means the cart is gone or closed, so a new one is needed. */
function cartIsGone(error: unknown): boolean {
  return error instanceof ApiError && (error.code === "not_found" || error.code === "cart_not_open");
}

export interface CartState {
  cartId: string | null;
  cart: Cart | null;
  drawerOpen: boolean;
  /** The last change's announcement, for the screen-reader live region. */
  announcement: string;
  /** Loads the remembered cart (dropping it if it is gone). */
  load: () => Promise<void>;
  add: (sku: string, quantity: number, name?: string) => Promise<Cart>;
  setQuantity: (lineId: string, quantity: number) => Promise<Cart>;
  remove: (lineId: string) => Promise<Cart>;
  applyCode: (code: string) => Promise<Cart>;
  removeCode: (code: string) => Promise<Cart>;
  /** Replaces the cart shown (after checkout steps, or a `cart_changed` answer). */
  setCart: (cart: Cart) => void;
  /** Forgets the cart (after an order is placed). */
  clear: () => void;
  openDrawer: () => void;
  closeDrawer: () => void;
}

export const useCart = create<CartState>()((set, get) => {
  async function ensureCart(): Promise<string> {
    // A signed-in customer's cart is theirs: wait until the page knows who is asking.
    await sessionKnown();
    const existing = get().cartId;
    if (existing) return existing;
    const cart = unwrap(
      await api.POST("/api/v1/carts", { body: {}, params: { header: { "Idempotency-Key": newIdempotencyKey() } } }),
    );
    storeId(cart.id);
    set({ cartId: cart.id, cart });
    return cart.id;
  }

  /** Runs a change on the cart, starting a new cart once if the remembered one is gone. */
  async function change(run: (id: string) => Promise<Cart>, announce: string): Promise<Cart> {
    let id = await ensureCart();
    let cart: Cart;
    try {
      cart = await run(id);
    } catch (error) {
      if (!cartIsGone(error)) throw error;
      storeId(null);
      set({ cartId: null, cart: null });
      id = await ensureCart();
      cart = await run(id);
    }
    set({ cart, announcement: announce });
    return cart;
  }

  return {
    cartId: storedId(),
    cart: null,
    drawerOpen: false,
    announcement: "",
    async load() {
      await sessionKnown();
      const id = get().cartId;
      if (!id) return;
      try {
        const cart = unwrap(await api.GET("/api/v1/carts/{id}", { params: { path: { id } } }));
        if (cart.state !== "open") throw new ApiError({ type: "", title: "", status: 409, detail: "", code: "cart_not_open" });
        set({ cart });
      } catch (error) {
        if (cartIsGone(error)) {
          storeId(null);
          set({ cartId: null, cart: null });
        } else {
          throw error;
        }
      }
    },
    add: (sku, quantity, name) =>
      change(
        async (id) => unwrap(await api.POST("/api/v1/carts/{id}/items", { params: { path: { id } }, body: { sku, quantity } })),
        `Added ${name ?? sku} to your cart.`,
      ),
    setQuantity: (lineId, quantity) =>
      change(
        async (id) =>
          unwrap(
            await api.PATCH("/api/v1/carts/{id}/items/{line}", {
              params: { path: { id, line: lineId } },
              body: { quantity },
            }),
          ),
        "Quantity updated.",
      ),
    remove: (lineId) =>
      change(
        async (id) =>
          unwrap(await api.DELETE("/api/v1/carts/{id}/items/{line}", { params: { path: { id, line: lineId } } })),
        "Item removed.",
      ),
    applyCode: (code) =>
      change(
        async (id) =>
          unwrap(await api.POST("/api/v1/carts/{id}/discount-codes", { params: { path: { id } }, body: { code } })),
        `Code ${code} entered.`,
      ),
    removeCode: (code) =>
      change(
        async (id) =>
          unwrap(await api.DELETE("/api/v1/carts/{id}/discount-codes/{code}", { params: { path: { id, code } } })),
        `Code ${code} removed.`,
      ),
    setCart(cart) {
      set({ cart });
    },
    clear() {
      storeId(null);
      set({ cartId: null, cart: null, drawerOpen: false });
    },
    openDrawer() {
      set({ drawerOpen: true });
    },
    closeDrawer() {
      set({ drawerOpen: false });
    },
  };
});

/** How many units the cart holds (a count, not money). */
export function unitCount(cart: Cart | null): number {
  return cart?.lines.reduce((n, line) => n + line.quantity, 0) ?? 0;
}
