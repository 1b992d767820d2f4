import { fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { describe, expect, it } from "vitest";
import { fakeApi } from "../../../shop/src/test/fakeApi";
import { Orders } from "./Orders";

const usd = (amount: string) => ({ amount, currency: "USD" });

function summary(id: string) {
  return { id, email: `${id}@example.com`, state: "paid", created_at: "2026-12-03T10:00:00Z", totals: { total: usd("10.00") } };
}

describe("the order list", () => {
  it("pages through the API's cursors and back, and searches by state and text", async () => {
    const seen = fakeApi((r) => {
      if (!r.path.startsWith("/api/v1/admin/orders")) return undefined;
      const page = r.path.includes("cursor=c1")
        ? { data: [summary("ord_2")], next_cursor: null }
        : { data: [summary("ord_1")], next_cursor: "c1" };
      return { status: 200, body: page };
    });
    render(
      <MemoryRouter initialEntries={["/orders"]}>
        <Routes>
          <Route path="/orders" element={<Orders />} />
        </Routes>
      </MemoryRouter>,
    );
    expect(await screen.findByRole("link", { name: "ord_1" })).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Previous" }).disabled).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(await screen.findByRole("link", { name: "ord_2" })).toBeTruthy();
    expect(screen.getByText("Page 2")).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Next" }).disabled).toBe(true);
    fireEvent.click(screen.getByRole("button", { name: "Previous" }));
    expect(await screen.findByRole("link", { name: "ord_1" })).toBeTruthy();

    fireEvent.change(screen.getByLabelText("State"), { target: { value: "shipped" } });
    fireEvent.change(screen.getByLabelText("Order id or email"), { target: { value: " ada@ " } });
    fireEvent.click(screen.getByRole("button", { name: "Find" }));
    await screen.findByText("Page 1");
    await new Promise((resolve) => setTimeout(resolve, 50));
    const last = seen.at(-1)?.path ?? "";
    expect(last).toContain("status=shipped");
    expect(last).toContain("q=ada%40");
    expect(last).not.toContain("cursor=");
  });
});
