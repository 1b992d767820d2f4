// Cookie sessions for browser apps (the storefront and the dashboard): the refresh token lives in an HttpOnly
// cookie the page cannot read; the access token is kept in memory by the caller; renewals send the CSRF token from
// the readable `nite_csrf` cookie. Nothing is written to storage.
import { ApiError, csrfToken, unwrap, type NiteClient, type Session } from "./index";

/** What a browser app hears from its session keeper. */
export interface SessionEvents {
  /** A session started or was renewed: keep `session.access_token` in memory. */
  started(session: Session): void;
  /** The session ended (signed out, refused, or never there): forget the access token. */
  ended(): void;
}

/** Sign-in, renewal and sign-out over cookies, for one API client. */
export interface SessionKeeper {
  signIn(email: string, password: string): Promise<Session>;
  register(name: string, email: string, password: string): Promise<Session>;
  /**
   * Renews the access token from the refresh cookie; false when there is no session any more. Concurrent callers
   * share one renewal (a refresh token works once). A failure of the server (5xx, no network) keeps the session.
   */
  refresh(): Promise<boolean>;
  signOut(): Promise<void>;
  /** Runs a request that needs the session; on `401` (an access token that just expired) renews once and retries. */
  withSession<T>(request: () => Promise<T>): Promise<T>;
}

/** A session keeper over `api`; renews a minute before each access token expires. */
export function cookieSessions(api: NiteClient, events: SessionEvents): SessionKeeper {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let refreshing: Promise<boolean> | null = null;

  const started = (session: Session): Session => {
    clearTimeout(timer);
    const renewIn = Math.max(10, session.expires_in - 60) * 1000;
    timer = setTimeout(() => void keeper.refresh(), renewIn);
    events.started(session);
    return session;
  };
  const ended = (): void => {
    clearTimeout(timer);
    events.ended();
  };

  const keeper: SessionKeeper = {
    async signIn(email, password) {
      return started(unwrap(await api.POST("/api/v1/auth/login", { body: { email, password, session: "cookie" } })));
    },
    async register(name, email, password) {
      return started(
        unwrap(await api.POST("/api/v1/auth/register", { body: { name, email, password, session: "cookie" } })),
      );
    },
    refresh() {
      refreshing ??= (async () => {
        const csrf = csrfToken();
        if (!csrf) {
          ended();
          return false;
        }
        try {
          const answer = await api.POST("/api/v1/auth/refresh", {
            body: {},
            params: { header: { "X-CSRF-Token": csrf } },
          });
          started(unwrap(answer));
          return true;
        } catch (error) {
          if (error instanceof ApiError && error.status < 500) ended();
          return false;
        } finally {
          refreshing = null;
        }
      })();
      return refreshing;
    },
    async signOut() {
      const csrf = csrfToken();
      try {
        if (csrf) await api.POST("/api/v1/auth/logout", { body: {}, params: { header: { "X-CSRF-Token": csrf } } });
      } finally {
        ended();
      }
    },
    async withSession(request) {
      try {
        return await request();
      } catch (error) {
        if (error instanceof ApiError && error.status === 401 && (await keeper.refresh())) return request();
        throw error;
      }
    },
  };
  return keeper;
}
