// The dashboard's one API client. The access token lives in this module's memory only; the refresh token is an
// HttpOnly cookie the page cannot read (see session.ts).
import { ApiError, createNiteClient, unwrap, type Schemas } from "@nite/client";

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

export type AdminOrder = Schemas["AdminOrderOut"];
export type OrderSummary = Schemas["OrderOut"];
export type OrderState = Schemas["OrderState"];
export type OrderAction = Schemas["OrderAction"];
export type StoredProduct = Schemas["Product"];
export type ProductDraft = Schemas["ProductDraft"];
export type Promotion = Schemas["Promotion"];
export type PromotionDraft = Schemas["PromotionDraft"];
export type Preview = Schemas["PreviewOut"];
export type SalesReport = Schemas["SalesReport"];
export type Stock = Schemas["StockOut"];
export type AdminReview = Schemas["ReviewOut"];

/** What went wrong, in words an operator understands; the API's own reason where it gives one. */
export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case "validation_failed": {
        const errors = error.problem.errors;
        if (Array.isArray(errors) && errors.length > 0) {
          return errors.map((e) => `${e.field.replaceAll("_", " ")}: ${e.message}`).join("; ");
        }
        return error.problem.detail;
      }
      case "invalid_transition":
        return `The order cannot do that now: ${error.problem.detail}. It has been reloaded.`;
      case "forbidden":
        return "This account is not an administrator.";
      case "unauthorized":
        return "Your session has ended. Sign in again.";
      case "too_many_requests":
        return "Too many attempts. Wait a moment and try again.";
      case "invalid_credentials":
        return "That email and password do not match an account.";
      case "overloaded":
      case "service_unavailable":
      case "timeout":
        return "The shop is busy right now. Try again in a moment.";
      default:
        return error.problem.detail || error.problem.title;
    }
  }
  if (error instanceof TypeError) return "The shop cannot be reached. Check the connection and try again.";
  return "Something went wrong. Try again.";
}
