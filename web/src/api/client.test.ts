import { describe, expect, it, vi } from "vitest";
import { ApiClient, ApiError, buildQuery, NETWORK_ERROR_TYPE, problemFromResponse } from "./client";

type Call = { url: string; init: RequestInit };

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": status >= 400 ? "application/problem+json" : "application/json", ...headers },
  });
}

function client(responses: (Response | Error)[], cookies: Record<string, string> = { "__Host-personae_csrf": "tok123" }) {
  const calls: Call[] = [];
  const fetchImpl = vi.fn(async (url: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(url), init: init ?? {} });
    const next = responses.shift();
    if (!next) throw new Error("unexpected request");
    if (next instanceof Error) throw next;
    return next;
  });
  const lost = vi.fn();
  const api = new ApiClient({ fetchImpl: fetchImpl as unknown as typeof fetch, readCookie: (n) => cookies[n], onSessionLost: lost });
  return { api, calls, lost };
}

const header = (call: Call | undefined, name: string) => new Headers(call?.init.headers).get(name);

describe("ApiClient", () => {
  it("sends the CSRF cookie as X-CSRF-Token on unsafe methods only", async () => {
    const { api, calls } = client([json(200, { ok: 1 }), json(200, { ok: 2 })]);
    await api.get("/api/v1/me");
    await api.post("/api/v1/personas", { display_name: "Luna" });
    expect(header(calls[0], "X-CSRF-Token")).toBeNull();
    expect(header(calls[1], "X-CSRF-Token")).toBe("tok123");
    expect(header(calls[1], "Content-Type")).toBe("application/json");
    expect(calls[1]?.init.body).toBe(JSON.stringify({ display_name: "Luna" }));
    expect(calls[1]?.init.credentials).toBe("same-origin");
  });

  it("reads the unprefixed CSRF cookie of the plain-HTTP development mode", async () => {
    const { api, calls } = client([json(204, undefined)], { personae_csrf: "dev" });
    await api.delete("/api/v1/sessions/s1");
    expect(header(calls[0], "X-CSRF-Token")).toBe("dev");
  });

  it("sends a request id the server accepts", async () => {
    const { api, calls } = client([json(200, {})]);
    await api.get("/api/v1/me");
    expect(header(calls[0], "X-Request-Id")).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  });

  it("refreshes once on a 401 and retries the call", async () => {
    const { api, calls, lost } = client([json(401, { type: "about:blank", title: "Unauthorized", status: 401 }), json(200, { token_type: "cookie" }), json(200, { user_id: "u1" })]);
    await expect(api.get("/api/v1/me")).resolves.toEqual({ user_id: "u1" });
    expect(calls.map((c) => `${c.init.method} ${c.url}`)).toEqual(["GET /api/v1/me", "POST /api/v1/auth/refresh", "GET /api/v1/me"]);
    expect(header(calls[1], "X-CSRF-Token")).toBe("tok123");
    expect(lost).not.toHaveBeenCalled();
  });

  it("reports the session lost when the refresh fails, and throws the original 401", async () => {
    const { api, lost } = client([json(401, { type: "about:blank", title: "Unauthorized", status: 401, instance: "r1" }), json(401, { type: "about:blank", title: "Unauthorized", status: 401 })]);
    const error = await api.get("/api/v1/personas").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect((error as ApiError).requestId).toBe("r1");
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("shares one refresh between concurrent calls", async () => {
    const unauthorized = () => json(401, { type: "about:blank", title: "Unauthorized", status: 401 });
    const { api, calls } = client([unauthorized(), unauthorized(), json(200, {}), json(200, { a: 1 }), json(200, { b: 2 })]);
    const results = await Promise.all([api.get("/api/v1/me"), api.get("/api/v1/personas")]);
    expect(results).toHaveLength(2);
    expect(calls.filter((c) => c.url === "/api/v1/auth/refresh")).toHaveLength(1);
  });

  it("never refreshes for the sign-in calls: their 401 means wrong credentials", async () => {
    const { api, calls, lost } = client([json(401, { type: "https://personae.dev/problems/mfa-required", title: "Second factor required", status: 401 })]);
    const error = (await api.post("/api/v1/auth/login", { email: "a", password: "b" }).catch((e: unknown) => e)) as ApiError;
    expect(error.problem).toBe("mfa-required");
    expect(calls).toHaveLength(1);
    expect(lost).not.toHaveBeenCalled();
  });

  it("does not try to refresh without a session (no CSRF cookie)", async () => {
    const { api, calls, lost } = client([json(401, { type: "about:blank", title: "Unauthorized", status: 401 })], {});
    await expect(api.get("/api/v1/me")).rejects.toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(1);
    expect(lost).toHaveBeenCalledTimes(1);
  });

  it("turns a network failure into a status-0 ApiError that still names the request", async () => {
    const { api } = client([new TypeError("Failed to fetch")]);
    const error = (await api.get("/api/v1/me").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.type).toBe(NETWORK_ERROR_TYPE);
    expect(error.requestId).toMatch(/^web-/);
  });

  it("returns headers with send() (the ETag of a persona)", async () => {
    const { api } = client([json(200, { id: "p1" }, { ETag: '"3"' })]);
    const response = await api.send("GET", "/api/v1/personas/p1");
    expect(response.headers.get("ETag")).toBe('"3"');
  });
});

describe("problemFromResponse", () => {
  it("keeps the problem's fields, extensions, field errors and Retry-After", () => {
    const body = {
      type: "https://personae.dev/problems/tenant-choice-required",
      title: "Choose a tenant",
      status: 409,
      detail: "several",
      instance: "req-1",
      tenants: [{ id: "t1", name: "A", role: "owner" }],
      errors: [{ field: "display_name", message: "is required" }, { bad: true }],
    };
    const error = problemFromResponse(409, new Headers({ "Retry-After": "7" }), JSON.stringify(body));
    expect(error.problem).toBe("tenant-choice-required");
    expect(error.requestId).toBe("req-1");
    expect(error.fieldErrors).toEqual([{ field: "display_name", message: "is required" }]);
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.body.tenants).toHaveLength(1);
  });

  it("copes with a body that is not JSON", () => {
    const error = problemFromResponse(502, new Headers({ "X-Request-Id": "abc" }), "<html>Bad gateway</html>");
    expect(error.status).toBe(502);
    expect(error.type).toBe("about:blank");
    expect(error.requestId).toBe("abc");
  });
});

describe("buildQuery", () => {
  it("drops empty values and encodes the rest", () => {
    expect(buildQuery({ persona_id: "a b", category: "", rating: undefined, unassigned: true, limit: 48, cursor: null })).toBe("?persona_id=a+b&unassigned=true&limit=48");
    expect(buildQuery({})).toBe("");
  });
});
