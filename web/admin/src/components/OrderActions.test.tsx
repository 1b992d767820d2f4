import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { fakeApi } from "../../../shop/src/test/fakeApi";
import type { AdminOrder, OrderAction, OrderState } from "../api";
import { OrderActions, actionLabels } from "./OrderActions";

const usd = (amount: string) => ({ amount, currency: "USD" });

function order(state: OrderState, actions: OrderAction[], refundable = "100.00"): AdminOrder {
  return { id: "ord_1", state, actions, refundable: usd(refundable), currency: "USD" } as unknown as AdminOrder;
}

function buttons(): string[] {
  return screen.queryAllByRole("button").map((b) => b.textContent ?? "");
}

describe("the order's actions", () => {
  // Each state with the actions the API gives for it (the core derives them from the transitions themselves; see
  // `actions_are_exactly_the_transitions_that_succeed` in nite-core): the buttons are exactly those, in that order.
  const cases: [string, AdminOrder, string[]][] = [
    ["awaiting payment", order("pending_payment", ["cancel"], "0.00"), ["Cancel order"]],
    ["paid", order("paid", ["ship", "cancel", "refund"]), ["Ship", "Cancel order", "Refund"]],
    ["paid, refunded in full", order("paid", ["ship"], "0.00"), ["Ship"]],
    ["shipped", order("shipped", ["deliver", "refund"]), ["Mark delivered", "Refund"]],
    ["delivered", order("delivered", ["refund"]), ["Refund"]],
    ["delivered, refunded in full", order("delivered", [], "0.00"), []],
    ["cancelled", order("cancelled", [], "0.00"), []],
  ];
  for (const [name, shown, expected] of cases) {
    it(`shows what a ${name} order allows`, () => {
      render(<OrderActions order={shown} onChanged={vi.fn()} onStale={vi.fn()} />);
      expect(buttons()).toEqual(expected);
      if (expected.length === 0) expect(screen.getByText("Nothing more can be done to this order.")).toBeTruthy();
    });
  }

  it("has words for every action", () => {
    expect(Object.keys(actionLabels).sort()).toEqual(["cancel", "deliver", "refund", "ship"]);
  });

  it("ships with the carrier and tracking number and shows the order the API answers", async () => {
    const shipped = order("shipped", ["deliver", "refund"]);
    const seen = fakeApi((r) => (r.path === "/api/v1/admin/orders/ord_1/ship" ? { status: 200, body: shipped } : undefined));
    const onChanged = vi.fn();
    render(<OrderActions order={order("paid", ["ship", "cancel", "refund"])} onChanged={onChanged} onStale={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Ship" }));
    expect(screen.getByRole("button", { name: "Ship" }).getAttribute("aria-expanded")).toBe("true");
    fireEvent.change(screen.getByLabelText("Carrier"), { target: { value: "UPS" } });
    fireEvent.change(screen.getByLabelText("Tracking number"), { target: { value: "1Z999" } });
    const submit = screen.getByRole("button", { name: "Ship and email the customer" });
    fireEvent.click(submit);
    fireEvent.click(submit);
    await waitFor(() => expect(onChanged).toHaveBeenCalledWith(shipped));
    expect(seen.filter((r) => r.method === "POST")).toHaveLength(1);
    expect(seen[0]?.body).toEqual({ carrier: "UPS", tracking_number: "1Z999" });
  });

  it("says why when the state no longer allows it, and reloads the order", async () => {
    fakeApi(() => ({
      status: 409,
      body: { type: "about:blank", title: "Conflict", status: 409, code: "invalid_transition", detail: "the order is shipped, not paid" },
    }));
    const onStale = vi.fn();
    render(<OrderActions order={order("paid", ["ship", "cancel", "refund"])} onChanged={vi.fn()} onStale={onStale} />);
    fireEvent.click(screen.getByRole("button", { name: "Cancel order" }));
    expect(screen.getByText("$100.00 will be refunded.")).toBeTruthy();
    fireEvent.click(screen.getByRole("button", { name: "Cancel the order" }));
    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toContain("the order is shipped, not paid");
    expect(onStale).toHaveBeenCalled();
  });

  it("shows what is still refundable and sends the amount as typed", async () => {
    const seen = fakeApi(() => ({ status: 201, body: order("paid", ["ship", "cancel", "refund"], "90.00") }));
    render(<OrderActions order={order("paid", ["ship", "cancel", "refund"])} onChanged={vi.fn()} onStale={vi.fn()} />);
    fireEvent.click(screen.getByRole("button", { name: "Refund" }));
    expect(screen.getByText("Still refundable: $100.00")).toBeTruthy();
    fireEvent.change(screen.getByLabelText("Amount (USD)"), { target: { value: "10.00" } });
    fireEvent.click(screen.getAllByRole("button", { name: "Refund" })[1] as HTMLElement);
    await waitFor(() => expect(seen).toHaveLength(1));
    expect(seen[0]?.body).toEqual({ amount: "10.00", reason: "" });
  });
});
