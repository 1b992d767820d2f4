import { afterEach, describe, expect, it, vi } from "vitest";
import { createNiteClient, unwrap } from "./index";
import { cookieSessions } from "./session";

const session = (token: string) => ({
  access_token: token,
  token_type: "Bearer",
  expires_in: 900,
  refresh_token: null,
  customer: { id: "cus_1", email: "a@example.com", name: "A", role: "admin", created_at: "2026-12-03T00:00:00Z" },
});

function answer(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

const expired = { type: "about:blank", title: "Unauthorized", status: 401, code: "unauthorized", detail: "expired" };

afterEach(() => {
  document.cookie = "nite_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
});

describe("cookie sessions", () => {
  it("renews once on a 401 and retries, with concurrent renewals shared", async () => {
    document.cookie = "nite_csrf=abc";
    let token = "old";
    const refreshes: string[] = [];
    const fetch = vi.fn((input: Request) => {
      if (input.url.endsWith("/auth/refresh")) {
        refreshes.push(input.headers.get("X-CSRF-Token") ?? "");
        return Promise.resolve(answer(200, session("new")));
      }
      return Promise.resolve(input.headers.get("Authorization") === "Bearer new" ? answer(200, { ok: true }) : answer(401, expired));
    });
    const api = createNiteClient({ baseUrl: "http://shop.test", accessToken: () => token, fetch: fetch as typeof globalThis.fetch });
    const started = vi.fn((s: { access_token: string }) => {
      token = s.access_token;
    });
    const keeper = cookieSessions(api, { started, ended: vi.fn() });
    const read = async () => (unwrap(await api.GET("/api/v1/me")), 200);
    const [a, b] = await Promise.all([keeper.withSession(read), keeper.withSession(read)]);
    expect([a, b]).toEqual([200, 200]);
    expect(refreshes).toEqual(["abc"]);
    expect(started).toHaveBeenCalledTimes(1);
  });

  it("ends the session when the refresh is refused, and keeps it when the server fails", async () => {
    document.cookie = "nite_csrf=abc";
    let status = 503;
    const fetch = vi.fn(() =>
      Promise.resolve(answer(status, { ...expired, status, code: status === 503 ? "overloaded" : "unauthorized" })),
    );
    const api = createNiteClient({ baseUrl: "http://shop.test", fetch });
    const ended = vi.fn();
    const keeper = cookieSessions(api, { started: vi.fn(), ended });
    expect(await keeper.refresh()).toBe(false);
    expect(ended).not.toHaveBeenCalled();
    status = 401;
    expect(await keeper.refresh()).toBe(false);
    expect(ended).toHaveBeenCalledTimes(1);
  });

  it("never asks the server without a CSRF cookie", async () => {
    const fetch = vi.fn();
    const api = createNiteClient({ baseUrl: "http://shop.test", fetch: fetch as typeof globalThis.fetch });
    const ended = vi.fn();
    expect(await cookieSessions(api, { started: vi.fn(), ended }).refresh()).toBe(false);
    expect(fetch).not.toHaveBeenCalled();
    expect(ended).toHaveBeenCalled();
  });
});
