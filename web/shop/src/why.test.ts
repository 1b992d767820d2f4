import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { knownReasons, why } from "./why";

describe("why a code did not apply", () => {
  it("has words for every reason the core can give", () => {
    // The stable codes, read from the Rust enum itself: a new reason without words fails here.
    const source = readFileSync(resolve(import.meta.dirname, "../../../nite-core/src/promotion/reason.rs"), "utf8");
    const codes = [...source.matchAll(/NotAppliedReason::\w+ => "(\w+)"/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) expect(knownReasons, code).toContain(code);
  });

  it("always says something", () => {
    expect(why("min_subtotal_not_met")).toBe("Your order is below this code's minimum amount.");
    expect(why("a_reason_from_the_future")).toBe("This code does not apply to your cart.");
    expect(why(null)).toBe("This code does not apply to your cart.");
  });
});
