// The administrator's session, as the storefront keeps its customers': the access token in memory (api.ts), the
// refresh token in an HttpOnly cookie, renewed with the CSRF token from `nite_csrf` before it expires and again on
// a `401`, so an expired token never loses the page. Nothing is written to storage. Anyone may sign in; only the
// role `admin` gets the dashboard.
import { cookieSessions, csrfToken, type Customer } from "@nite/client";
import { create } from "zustand";
import { api, setAccessToken } from "./api";

type Status = "unknown" | "signed_out" | "signed_in";

interface SessionState {
  status: Status;
  who: Customer | null;
  /** Restores a session from the refresh cookie, if there is one. */
  restore: () => Promise<void>;
  signIn: (email: string, password: string) => Promise<Customer>;
  signOut: () => Promise<void>;
}

const sessions = cookieSessions(api, {
  started(session) {
    setAccessToken(session.access_token);
    useSession.setState({ status: "signed_in", who: session.customer });
  },
  ended() {
    setAccessToken(null);
    useSession.setState({ status: "signed_out", who: null });
  },
});

export const useSession = create<SessionState>()((set) => ({
  status: "unknown",
  who: null,
  async restore() {
    if (!csrfToken()) {
      set({ status: "signed_out" });
      return;
    }
    if (!(await sessions.refresh())) set({ status: "signed_out" });
  },
  async signIn(email, password) {
    return (await sessions.signIn(email, password)).customer;
  },
  signOut() {
    return sessions.signOut();
  },
}));

/** Whether the signed-in account may use the dashboard. */
export function isAdmin(who: Customer | null): boolean {
  return who?.role === "admin";
}

/** Runs a request that needs the session, renewing it once on `401`. */
export function withSession<T>(request: () => Promise<T>): Promise<T> {
  return sessions.withSession(request);
}
