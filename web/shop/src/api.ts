// The storefront's one API client. The access token lives in this module's memory only; the refresh token is in
// an HttpOnly cookie the page cannot read (see store/session.ts).
import { ApiError, createNiteClient, unwrap } from "@nite/client";

let accessToken: string | null = null;

/** Sets (or clears) the access token sent with every request. */
export function setAccessToken(token: string | null): void {
  accessToken = token;
}

// `fetch` is looked up at each call (not captured once), so tests can stand in for the server.
export const api = createNiteClient({
  baseUrl: globalThis.location?.origin ?? "",
  accessToken: () => accessToken,
  fetch: (input, init) => globalThis.fetch(input, init),
});

export { ApiError, unwrap };

/** What went wrong, in words a shopper understands. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case "discount_code_invalid":
        return "We don't know this code. Check the spelling.";
      case "insufficient_stock":
        return "There is not enough stock for that quantity.";
      case "too_many_requests":
        return "Too many attempts. Please wait a moment and try again.";
      case "overloaded":
      case "service_unavailable":
      case "timeout":
        return "The shop is busy right now. Please try again in a moment.";
      case "validation_failed": {
        const errors = error.problem.errors;
        if (Array.isArray(errors) && errors.length > 0) {
          return errors.map((e) => `${e.field.replaceAll("_", " ")}: ${e.message}`).join("; ");
        }
        return error.problem.detail;
      }
      case "invalid_credentials":
        return "That email and password do not match an account.";
      case "email_taken":
        return "An account with that email already exists. Sign in instead.";
      case "not_verified_buyer":
        return "Only customers who bought this product can review it.";
      case "already_reviewed":
        return "You have already reviewed this product.";
      case "too_many_pending_orders":
        return "You have several unpaid orders. Pay or wait for them to expire before placing another.";
      case "payment_provider_refused":
        return "The payment provider refused the payment. Please try again.";
      default:
        return error.problem.detail || error.problem.title;
    }
  }
  if (error instanceof TypeError) return "The shop cannot be reached. Check your connection and try again.";
  return "Something went wrong. Please try again.";
}
