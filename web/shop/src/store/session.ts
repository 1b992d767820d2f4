// The signed-in customer. The access token is kept in memory (api.ts); the refresh token is an HttpOnly cookie set
// by the API (`session: "cookie"`), renewed with the CSRF token from the readable `nite_csrf` cookie. A reload
// restores the session from the cookie; nothing is written to localStorage.
import { cookieSessions, csrfToken, type Customer } from "@nite/client";
import { create } from "zustand";
import { api, setAccessToken } from "../api";

type Status = "unknown" | "guest" | "signed_in";

interface SessionState {
  status: Status;
  customer: Customer | null;
  /** Restores a session from the refresh cookie, if there is one. */
  restore: () => Promise<void>;
  signIn: (email: string, password: string) => Promise<Customer>;
  register: (name: string, email: string, password: string) => Promise<Customer>;
  signOut: () => Promise<void>;
  /** Renews the access token; false when the session is gone. */
  refresh: () => Promise<boolean>;
  setCustomer: (customer: Customer) => void;
}

let known: () => void = () => undefined;
const knownPromise = new Promise<void>((resolve) => {
  known = resolve;
});

/** Resolves once the page knows whether a session was restored (requests that depend on who is asking wait). */
export function sessionKnown(): Promise<void> {
  return knownPromise;
}

const sessions = cookieSessions(api, {
  started(session) {
    setAccessToken(session.access_token);
    useSession.setState({ status: "signed_in", customer: session.customer });
  },
  ended() {
    setAccessToken(null);
    useSession.setState({ status: "guest", customer: null });
  },
});

export const useSession = create<SessionState>()((set, get) => ({
  status: "unknown",
  customer: null,
  async restore() {
    try {
      if (!csrfToken()) {
        set({ status: "guest" });
        return;
      }
      await get().refresh();
    } finally {
      known();
    }
  },
  async signIn(email, password) {
    return (await sessions.signIn(email, password)).customer;
  },
  async register(name, email, password) {
    return (await sessions.register(name, email, password)).customer;
  },
  signOut() {
    return sessions.signOut();
  },
  async refresh() {
    const renewed = await sessions.refresh();
    // A failure of the server keeps whoever was signed in.
    if (!renewed && get().status === "unknown") set({ status: "guest" });
    return renewed;
  },
  setCustomer(customer) {
    set({ customer });
  },
}));

/**
 * Runs a request that needs the session; on `401` (an access token that just expired) renews once and retries.
 */
export function withSession<T>(request: () => Promise<T>): Promise<T> {
  return sessions.withSession(request);
}
