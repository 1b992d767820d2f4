// The signed-in customer. The access token is kept in memory (api.ts); the refresh token is an HttpOnly cookie set
// by the API (`session: "cookie"`), renewed with the CSRF token from the readable `nite_csrf` cookie. A reload
// restores the session from the cookie; nothing is written to localStorage.
import { csrfToken, type Customer, type Session } from "@nite/client";
import { create } from "zustand";
import { ApiError, api, setAccessToken, unwrap } from "../api";

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

let timer: ReturnType<typeof setTimeout> | undefined;
let known: () => void = () => undefined;
const knownPromise = new Promise<void>((resolve) => {
  known = resolve;
});

/** Resolves once the page knows whether a session was restored (requests that depend on who is asking wait). */
export function sessionKnown(): Promise<void> {
  return knownPromise;
}
let refreshing: Promise<boolean> | null = null;

function started(session: Session): Customer {
  setAccessToken(session.access_token);
  clearTimeout(timer);
  // Renew a minute before the access token expires.
  const renewIn = Math.max(10, session.expires_in - 60) * 1000;
  timer = setTimeout(() => void useSession.getState().refresh(), renewIn);
  useSession.setState({ status: "signed_in", customer: session.customer });
  return session.customer;
}

function ended(): void {
  setAccessToken(null);
  clearTimeout(timer);
  useSession.setState({ status: "guest", customer: null });
}

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
    const session = unwrap(
      await api.POST("/api/v1/auth/login", { body: { email, password, session: "cookie" } }),
    );
    return started(session);
  },
  async register(name, email, password) {
    const session = unwrap(
      await api.POST("/api/v1/auth/register", { body: { name, email, password, session: "cookie" } }),
    );
    return started(session);
  },
  async signOut() {
    const csrf = csrfToken();
    try {
      if (csrf) {
        await api.POST("/api/v1/auth/logout", { body: {}, params: { header: { "X-CSRF-Token": csrf } } });
      }
    } finally {
      ended();
    }
  },
  refresh() {
    // One renewal at a time: concurrent callers share it (a refresh token works once).
    refreshing ??= (async () => {
      const csrf = csrfToken();
      if (!csrf) {
        ended();
        return false;
      }
      try {
        const session = unwrap(
          await api.POST("/api/v1/auth/refresh", { body: {}, params: { header: { "X-CSRF-Token": csrf } } }),
        );
        started(session);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) ended();
        else set({ status: get().customer ? "signed_in" : "guest" });
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  },
  setCustomer(customer) {
    set({ customer });
  },
}));

/**
 * Runs a request that needs the session; on `401` (an access token that just expired) renews once and retries.
 */
export async function withSession<T>(request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401 && (await useSession.getState().refresh())) {
      return request();
    }
    throw error;
  }
}
