// The dashboard's one way to the API.
//
// Credentials: the dashboard signs in with `"mode": "cookie"`; the server then keeps the access
// and refresh tokens in HttpOnly cookies the scripts never see, plus a CSRF cookie readable by
// scripts (`__Host-personae_csrf`, or `personae_csrf` in the plain-HTTP development mode). Every
// POST, PUT, PATCH and DELETE echoes that cookie in `X-CSRF-Token` (the server's double submit).
//
// Expiry: the access cookie lives 15 minutes. A 401 on any call other than the sign-in ones makes
// the client rotate the session once (POST /api/v1/auth/refresh, shared by every call waiting at
// that moment) and retry the call once; if the rotation fails, `onSessionLost` is told (the app
// shows the sign-in page) and the caller gets the original 401.
//
// Errors: every failure becomes an ApiError built from the RFC 9457 problem document (type,
// title, status, detail, the request id in `instance`, field `errors`), or a status-0 ApiError
// when the server could not be reached. Turning it into words is lib/errors.ts's job.

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly requestId: string | undefined;
  readonly fieldErrors: FieldError[];
  readonly retryAfterSeconds: number | undefined;
  /** The whole problem document, with its extensions (tenants, enrolment_ticket, ...). */
  readonly body: Record<string, unknown>;

  constructor(init: {
    status: number;
    type?: string;
    title?: string;
    detail?: string | undefined;
    requestId?: string | undefined;
    fieldErrors?: FieldError[];
    retryAfterSeconds?: number | undefined;
    body?: Record<string, unknown>;
  }) {
    super(init.detail ?? init.title ?? `HTTP ${init.status}`);
    this.name = "ApiError";
    this.status = init.status;
    this.type = init.type ?? "about:blank";
    this.title = init.title ?? "";
    this.detail = init.detail;
    this.requestId = init.requestId;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.body = init.body ?? {};
  }

  /** The problem type without its `https://personae.dev/problems/` prefix ("csrf", "mfa-required"). */
  get problem(): string {
    const prefix = "https://personae.dev/problems/";
    return this.type.startsWith(prefix) ? this.type.slice(prefix.length) : this.type;
  }
}

export const NETWORK_ERROR_TYPE = "personae:network";

export type QueryValue = string | number | boolean | null | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** A JSON body. */
  json?: unknown;
  /** Any other body, sent with `contentType`. */
  body?: BodyInit;
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiResponse<T> {
  data: T;
  status: number;
  headers: Headers;
}

export interface ApiClientOptions {
  baseUrl?: string;
  fetchImpl?: typeof fetch;
  /** Reads a cookie by name (document.cookie in the browser; injectable for tests). */
  readCookie?: (name: string) => string | undefined;
  /** Called once when the session is gone for good (the refresh failed). */
  onSessionLost?: () => void;
}

export const CSRF_COOKIE_NAMES = ["__Host-personae_csrf", "personae_csrf"] as const;

const UNSAFE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Paths whose 401 means "wrong credentials", never "session expired": no refresh for them. */
function refreshes(path: string): boolean {
  return !(
    path.startsWith("/api/v1/auth/") ||
    path.startsWith("/api/v1/setup") ||
    path.startsWith("/api/v1/invitations/register")
  );
}

export function browserCookie(name: string): string | undefined {
  if (typeof document === "undefined") return undefined;
  for (const part of document.cookie.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** A request id the server accepts (1-128 of `A-Z a-z 0-9 . _ : -`), so that even a request that
 * never got an answer can be named to support. */
export function newRequestId(): string {
  const bytes = new Uint8Array(12);
  globalThis.crypto.getRandomValues(bytes);
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

function parseRetryAfter(value: string | null): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/** Builds the ApiError of a failed response from its status, headers and body text. */
export function problemFromResponse(
  status: number,
  headers: { get(name: string): string | null },
  text: string,
  sentRequestId?: string,
): ApiError {
  let body: Record<string, unknown> = {};
  if (text) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) body = parsed as Record<string, unknown>;
    } catch {
      // Not JSON (a proxy's HTML page, say): the status alone speaks.
    }
  }
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  const fieldErrors: FieldError[] = Array.isArray(body.errors)
    ? body.errors.flatMap((e: unknown) => {
        if (!e || typeof e !== "object") return [];
        const field = str((e as Record<string, unknown>).field);
        const message = str((e as Record<string, unknown>).message);
        return field !== undefined && message !== undefined ? [{ field, message }] : [];
      })
    : [];
  return new ApiError({
    status,
    type: str(body.type) ?? "about:blank",
    title: str(body.title) ?? "",
    detail: str(body.detail),
    requestId: str(body.instance) ?? headers.get("X-Request-Id") ?? sentRequestId,
    fieldErrors,
    retryAfterSeconds: parseRetryAfter(headers.get("Retry-After")),
    body,
  });
}

export class ApiClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly readCookie: (name: string) => string | undefined;
  private onSessionLost: (() => void) | undefined;
  private refreshing: Promise<boolean> | null = null;

  constructor(options: ApiClientOptions = {}) {
    this.baseUrl = options.baseUrl ?? "";
    this.fetchImpl = options.fetchImpl ?? ((input, init) => globalThis.fetch(input, init));
    this.readCookie = options.readCookie ?? browserCookie;
    this.onSessionLost = options.onSessionLost;
  }

  setSessionLostHandler(handler: (() => void) | undefined): void {
    this.onSessionLost = handler;
  }

  /** The CSRF token of the current session, if there is one. */
  csrfToken(): string | undefined {
    for (const name of CSRF_COOKIE_NAMES) {
      const value = this.readCookie(name);
      if (value) return value;
    }
    return undefined;
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    return this.baseUrl + path + buildQuery(query);
  }

  /** Headers every request carries: the CSRF token on unsafe methods, a request id. */
  baseHeaders(method: string, requestId: string): Record<string, string> {
    const headers: Record<string, string> = { Accept: "application/json", "X-Request-Id": requestId };
    if (UNSAFE_METHODS.has(method)) {
      const csrf = this.csrfToken();
      if (csrf) headers["X-CSRF-Token"] = csrf;
    }
    return headers;
  }

  async get<T>(path: string, options?: RequestOptions): Promise<T> {
    return (await this.send<T>("GET", path, options)).data;
  }
  async post<T>(path: string, json?: unknown, options?: RequestOptions): Promise<T> {
    return (await this.send<T>("POST", path, { ...options, json })).data;
  }
  async put<T>(path: string, json?: unknown, options?: RequestOptions): Promise<T> {
    return (await this.send<T>("PUT", path, { ...options, json })).data;
  }
  async patch<T>(path: string, json?: unknown, options?: RequestOptions): Promise<T> {
    return (await this.send<T>("PATCH", path, { ...options, json })).data;
  }
  async delete<T = void>(path: string, options?: RequestOptions): Promise<T> {
    return (await this.send<T>("DELETE", path, options)).data;
  }

  /** One request, with the refresh-and-retry-once rule; resolves with data, status and headers. */
  async send<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const first = await this.attempt(method, path, options);
    if (first instanceof ApiError) {
      if (first.status === 401 && refreshes(path)) {
        if (await this.refreshOnce()) {
          const second = await this.attempt(method, path, options);
          if (!(second instanceof ApiError)) return second as ApiResponse<T>;
          if (second.status === 401) this.sessionLost();
          throw second;
        }
        this.sessionLost();
      }
      throw first;
    }
    return first as ApiResponse<T>;
  }

  /**
   * Rotates the session once for every caller waiting at this moment. Resolves true when the
   * server issued fresh cookies.
   */
  refreshOnce(): Promise<boolean> {
    // No CSRF cookie means no refresh cookie either (they share a lifetime): nothing to rotate.
    if (!this.csrfToken()) return Promise.resolve(false);
    if (!this.refreshing) {
      this.refreshing = this.attempt("POST", "/api/v1/auth/refresh", {})
        .then((result) => !(result instanceof ApiError))
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  private sessionLost(): void {
    this.onSessionLost?.();
  }

  private async attempt(method: string, path: string, options: RequestOptions): Promise<ApiResponse<unknown> | ApiError> {
    const requestId = newRequestId();
    const headers: Record<string, string> = { ...this.baseHeaders(method, requestId), ...options.headers };
    let body: BodyInit | undefined;
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.json);
    } else if (options.body !== undefined) {
      body = options.body;
      if (options.contentType) headers["Content-Type"] = options.contentType;
    }
    let response: Response;
    try {
      const init: RequestInit = { method, headers, credentials: "same-origin", cache: "no-store" };
      if (body !== undefined) init.body = body;
      if (options.signal) init.signal = options.signal;
      response = await this.fetchImpl(this.url(path, options.query), init);
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      return new ApiError({ status: 0, type: NETWORK_ERROR_TYPE, title: "Network error", requestId });
    }
    if (!response.ok) {
      const text = await response.text().catch(() => "");
      return problemFromResponse(response.status, response.headers, text, requestId);
    }
    if (response.status === 204 || response.status === 205) {
      return { data: undefined, status: response.status, headers: response.headers };
    }
    const type = response.headers.get("Content-Type") ?? "";
    const data: unknown = type.includes("json") ? await response.json() : await response.blob();
    return { data, status: response.status, headers: response.headers };
  }
}

/** The application's client (same origin as the dashboard). */
export const api = new ApiClient();
