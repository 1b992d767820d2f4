/**
 * @nite/client: a typed client for nite's HTTP API.
 *
 * The types come from the OpenAPI document the server serves (`npm run generate` after `niteputter openapi >
 * openapi.json`); requests go through openapi-fetch, so a wrong path, parameter or body is a compile error.
 */
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema";

export type { components, paths };

/** Every schema of the API, by name: `Schemas["CartOut"]`. */
export type Schemas = components["schemas"];
export type Money = Schemas["Money"];
export type Product = Schemas["ProductOut"];
export type Variant = Schemas["VariantOut"];
export type Cart = Schemas["CartOut"];
export type Order = Schemas["OrderOut"];
export type Customer = Schemas["CustomerOut"];
export type Session = Schemas["SessionOut"];
export type Address = Schemas["Address"];
export type ShippingRate = Schemas["RateOut"];
export type Review = Schemas["PublicReviewOut"];
export type ShopConfig = Schemas["ShopConfigOut"];

/** An RFC 9457 problem as the API answers every error: branch on `code`, never on `detail`. */
export type Problem = Schemas["Problem"] & Record<string, unknown>;

/** A problem answer, thrown by {@link unwrap}. */
export class ApiError extends Error {
  readonly problem: Problem;
  readonly status: number;

  constructor(problem: Problem) {
    super(problem.detail || problem.title);
    this.name = "ApiError";
    this.problem = problem;
    this.status = problem.status;
  }

  /** The problem's stable code (`insufficient_stock`, `cart_changed`…). */
  get code(): string {
    return this.problem.code;
  }
}

/** What a client needs: where the API is, and how to find the current access token. */
export interface NiteClientOptions {
  /** The server's origin, such as `https://shop.example`; empty for the page's own origin. */
  baseUrl?: string;
  /** The access token to send as `Authorization: Bearer …`, if any (kept in memory, never in storage). */
  accessToken?: () => string | null | undefined;
  /** A `fetch` to use instead of the global one (tests, server-side rendering). */
  fetch?: typeof fetch;
}

/** The typed client: `client.GET("/api/v1/products", { params: { query: { limit: 20 } } })`. */
export type NiteClient = Client<paths>;

/** A client for the API at `options.baseUrl`, sending the access token when there is one. */
export function createNiteClient(options: NiteClientOptions = {}): NiteClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? "",
    credentials: "same-origin",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const auth: Middleware = {
    onRequest({ request }) {
      const token = options.accessToken?.();
      if (token && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      return request;
    },
  };
  client.use(auth);
  return client;
}

/** A fresh `Idempotency-Key`: one per attempt (a retry of the same attempt reuses it). */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}

/** The CSRF token of a cookie session (the `nite_csrf` cookie), for `X-CSRF-Token`. */
export function csrfToken(cookies: string = globalThis.document?.cookie ?? ""): string | undefined {
  for (const pair of cookies.split(";")) {
    const [name, ...value] = pair.trim().split("=");
    if (name === "nite_csrf" && value.length > 0 && value.join("=") !== "") return value.join("=");
  }
  return undefined;
}

/**
 * The data of an openapi-fetch result, or an {@link ApiError} with the problem. An answer that is no problem (a
 * proxy's HTML error page, say) becomes a problem with the code `unexpected_response`.
 */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error === undefined && result.response.ok) return result.data as T;
  throw new ApiError(toProblem(result.error, result.response));
}

function toProblem(error: unknown, response: Response): Problem {
  if (error && typeof error === "object" && "code" in error && "status" in error) return error as Problem;
  return {
    type: "about:blank",
    title: "Unexpected answer",
    status: response.status,
    detail: `the server answered ${response.status} ${response.statusText}`.trim(),
    code: "unexpected_response",
  };
}

export { compareAmounts, formatMoney, isZero } from "./money";
export { cookieSessions, type SessionEvents, type SessionKeeper } from "./session";
