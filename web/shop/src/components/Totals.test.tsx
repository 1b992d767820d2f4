import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { Totals } from "./Totals";

const usd = (amount: string) => ({ amount, currency: "USD" });

describe("totals", () => {
  it("shows each amount as the API sent it, and hides zero discounts", () => {
    render(
      <Totals
        totals={{ subtotal: usd("239.97"), discount: usd("24.00"), shipping: usd("5.99"), shipping_discount: usd("0.00"), tax: usd("17.82"), total: usd("239.78") }}
      />,
    );
    expect(screen.getByText("$239.97")).toBeTruthy();
    expect(screen.getByText("−$24.00")).toBeTruthy();
    expect(screen.queryByText("Shipping discount")).toBeNull();
    // The total is not re-added from the parts: it is the API's total.
    expect(screen.getByTestId("total").textContent).toBe("$239.78");
  });

  it("says shipping is chosen later before it is", () => {
    render(<Totals totals={{ subtotal: usd("1.00"), discount: usd("0"), shipping: usd("0"), shipping_discount: usd("0"), tax: usd("0"), total: usd("1.00") }} shippingChosen={false} />);
    expect(screen.getByText("Chosen at checkout")).toBeTruthy();
  });
});
