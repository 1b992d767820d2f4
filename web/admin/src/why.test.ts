import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { knownReasons, why } from "./why";

describe("why a promotion did not apply, for operators", () => {
  it("has words for every reason the core can give", () => {
    const source = readFileSync(resolve(import.meta.dirname, "../../../nite-core/src/promotion/reason.rs"), "utf8");
    const codes = [...source.matchAll(/NotAppliedReason::\w+ => "(\w+)"/g)].map((m) => m[1]);
    expect(codes.length).toBeGreaterThan(10);
    for (const code of codes) expect(knownReasons, code).toContain(code);
  });

  it("always says something", () => {
    expect(why("min_subtotal_not_met")).toBe("The cart's subtotal is below its minimum.");
    expect(why("from_the_future")).toBe("It does not apply to this cart.");
  });
});
