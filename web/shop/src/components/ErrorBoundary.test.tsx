import { render, screen } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { ErrorBoundary } from "./ErrorBoundary";

function Broken(): never {
  throw new Error("boom");
}

describe("a page that fails to render", () => {
  it("says so in words instead of going blank, and recovers on the next page", () => {
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const { rerender } = render(
      <ErrorBoundary resetKey="/a">
        <Broken />
      </ErrorBoundary>,
    );
    expect(screen.getByRole("alert").textContent).toContain("This page could not be shown");
    rerender(
      <ErrorBoundary resetKey="/b">
        <p>the next page</p>
      </ErrorBoundary>,
    );
    expect(screen.getByText("the next page")).toBeTruthy();
  });
});
