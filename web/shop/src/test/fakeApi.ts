import { vi } from "vitest";

/** One request the fake server saw. */
export interface Seen {
  method: string;
  path: string;
  headers: Headers;
  body: unknown;
}

type Handler = (request: Seen) => { status: number; body?: unknown } | undefined;

/**
 * Stands in for the API: `handler` answers each request (status and JSON body); unknown requests answer 404 as a
 * problem. Returns every request seen, in order.
 */
export function fakeApi(handler: Handler): Seen[] {
  const seen: Seen[] = [];
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(String(input), init);
    const text = await request.text();
    const url = new URL(request.url, "http://shop.test");
    const entry: Seen = { method: request.method, path: url.pathname + url.search, headers: request.headers, body: text ? JSON.parse(text) : undefined };
    seen.push(entry);
    const answer = handler(entry) ?? {
      status: 404,
      body: { type: "about:blank", title: "Not found", status: 404, detail: "no such thing", code: "not_found" },
    };
    const problem = answer.status >= 400;
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "content-type": problem ? "application/problem+json" : "application/json" },
    });
  });
  return seen;
}

const usd = (amount: string) => ({ amount, currency: "USD" });

/** A priced cart as the API answers it, with `lines` of `[sku, quantity, line total]`. */
export function cartBody(id: string, lines: [string, number, string][], total = "0.00") {
  return {
    id,
    currency: "USD",
    state: "open",
    lines: lines.map(([sku, quantity, lineTotal], i) => ({
      id: `line_${i}`,
      sku,
      name: sku,
      quantity,
      unit_price: usd(lineTotal),
      subtotal: usd(lineTotal),
      discount: usd("0.00"),
      tax: usd("0.00"),
      total: usd(lineTotal),
    })),
    unavailable_lines: [],
    discount_codes: [],
    promotions: [],
    promotions_not_applied: [],
    totals: {
      subtotal: usd(total),
      discount: usd("0.00"),
      shipping: usd("0.00"),
      shipping_discount: usd("0.00"),
      tax: usd("0.00"),
      total: usd(total),
    },
    email: null,
    shipping_address: null,
    billing_address: null,
    shipping_option: null,
    free_shipping: null,
  };
}
