import { act, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { beforeEach, describe, expect, it } from "vitest";
import { useCart } from "../store/cart";
import { useSession } from "../store/session";
import { cartBody, fakeApi } from "../test/fakeApi";
import { Checkout, furthestStep } from "./Checkout";

const address = { name: "Ada", line1: "1 Market St", line2: null, city: "Austin", region: "TX", postal_code: "78701", country: "US", phone: null };

function readyCart(total: string) {
  return {
    ...cartBody("cart_1", [["NP-PRO-GRN", 1, total]], total),
    email: "ada@example.com",
    shipping_address: address,
    shipping_option: { id: "table:us:standard", name: "Standard", carrier: "USPS", price: { amount: "0.00", currency: "USD" }, estimated_days: 5 },
  };
}

function at(path: string) {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Routes>
        <Route path="/checkout/:step" element={<Checkout />} />
        <Route path="/orders/:id" element={<p>order page</p>} />
      </Routes>
    </MemoryRouter>,
  );
}

beforeEach(async () => {
  localStorage.clear();
  await useSession.getState().restore();
});

describe("checkout steps", () => {
  it("knows how far a cart may go", () => {
    const empty = cartBody("cart_1", [["NP-PRO-GRN", 1, "89.99"]], "89.99");
    expect(furthestStep(empty as never)).toBe("details");
    expect(furthestStep({ ...empty, email: "a@example.com", shipping_address: address } as never)).toBe("shipping");
    expect(furthestStep(readyCart("89.99") as never)).toBe("review");
  });

  it("sends a cart without an address back to the first step", async () => {
    useCart.setState({ cartId: "cart_1", cart: cartBody("cart_1", [["NP-PRO-GRN", 1, "89.99"]], "89.99") as never });
    fakeApi(() => undefined);
    at("/checkout/review");
    expect(await screen.findByRole("heading", { name: "Contact and address" })).toBeTruthy();
  });

  it("places one order per attempt, shows a changed total, and accepts it with a new key", async () => {
    useCart.setState({ cartId: "cart_1", cart: readyCart("89.99") as never });
    let checkouts = 0;
    const seen = fakeApi(({ method, path }) => {
      if (method === "POST" && path === "/api/v1/carts/cart_1/checkout") {
        checkouts += 1;
        if (checkouts === 1) {
          return {
            status: 409,
            body: { type: "", title: "The cart changed", status: 409, detail: "re-priced", code: "cart_changed", cart: readyCart("99.99") },
          };
        }
        return {
          status: 201,
          body: {
            order: { id: "ord_1" },
            payment: { id: "pay_1", provider: "test", status: "pending", amount: { amount: "99.99", currency: "USD" }, client_secret: null },
            order_token: null,
          },
        };
      }
      if (path === "/api/v1/payments/pay_1/test-confirm") return { status: 200, body: { outcome: "applied:paid" } };
      return undefined;
    });
    at("/checkout/review");
    const place = await screen.findByRole("button", { name: /^Place order · \$89\.99$/ });
    await act(async () => {
      fireEvent.click(place);
      fireEvent.click(place); // a double click: the button is busy, one request goes
      await Promise.resolve();
    });
    expect(await screen.findByText("Your total changed")).toBeTruthy();
    expect(screen.getByRole("button", { name: /^Place order · \$99\.99$/ })).toBeTruthy();
    expect(checkouts).toBe(1);

    fireEvent.click(screen.getByRole("button", { name: /^Place order/ }));
    expect(await screen.findByText("order page")).toBeTruthy();
    const keys = seen.filter((s) => s.path.endsWith("/checkout")).map((s) => s.headers.get("Idempotency-Key"));
    expect(keys).toHaveLength(2);
    expect(keys[0]).not.toBe(keys[1]); // a new attempt, a new key
    await waitFor(() => expect(useCart.getState().cartId).toBeNull()); // the cart is done with
    expect(seen.some((s) => s.path === "/api/v1/payments/pay_1/test-confirm")).toBe(true);
  });
});
