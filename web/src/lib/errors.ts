// Turns API failures into plain words. Pure: returns message keys and parameters that the i18n
// layer renders, so that the mapping is unit-tested without a browser.
import { ApiError, NETWORK_ERROR_TYPE } from "../api/client";
import type { MessageKey } from "../i18n/messages";

export interface Explained {
  /** The sentence to show, in the user's language. */
  key: MessageKey;
  params?: Record<string, string | number>;
  /** The server's own words when they add something (English; the API has no other language). */
  detail?: { key: MessageKey; params?: Record<string, string | number> } | { text: string };
  requestId?: string;
  status?: number;
}

/** Sentences the server sends as `detail` that the dashboard knows how to say itself. */
const KNOWN_DETAILS: [RegExp, MessageKey, (m: RegExpExecArray) => Record<string, string | number>][] = [
  [/^password is wrong$/i, "detail.passwordWrong", () => ({})],
  [/^invalid code$/i, "detail.invalidCode", () => ({})],
  [/^the password must be 8 to 128 characters$/i, "detail.passwordLength", () => ({})],
  [/^the password is among the ([\d,. ]+) most common passwords$/i, "detail.passwordCommon", (m) => ({ count: m[1] ?? "" })],
  [/^the password must not be the e-mail address$/i, "detail.passwordIsEmail", () => ({})],
  [/^two-factor authentication is already enabled$/i, "detail.totpAlreadyOn", () => ({})],
  [/^two-factor authentication is not enabled$/i, "detail.totpNotOn", () => ({})],
  [/^no two-factor enrolment is pending$/i, "detail.noEnrolment", () => ({})],
  [/^setup already done$/i, "detail.setupDone", () => ({})],
  [/^not allowed to grant that role$/i, "detail.roleTooHigh", () => ({})],
  [/^not allowed with an API key$/i, "detail.notWithApiKey", () => ({})],
  [/^this link is not valid/i, "detail.linkInvalid", () => ({})],
  [/^session not found$/i, "detail.sessionNotFound", () => ({})],
  [/last owner/i, "detail.lastOwner", () => ({})],
  [/^the persona is not active/i, "detail.personaNotActive", () => ({})],
  [/^a blocked caption cannot be approved/i, "detail.blockedCaption", () => ({})],
  [/^only a caption that needs review can be approved/i, "detail.onlyReviewApproved", () => ({})],
  [/^the caption has no text to edit yet/i, "detail.captionNoText", () => ({})],
  [/^the caption changed meanwhile/i, "detail.captionChanged", () => ({})],
  [/^no such job$/i, "detail.noSuchJob", () => ({})],
  [/^a (queued|running|succeeded|dead|cancelled) job cannot be /i, "detail.jobStateRefused", () => ({})],
  [/^only dead or cancelled jobs can be replayed/i, "detail.jobReplayRefused", () => ({})],
];

export function translateDetail(detail: string): { key: MessageKey; params?: Record<string, string | number> } | null {
  for (const [pattern, key, params] of KNOWN_DETAILS) {
    const match = pattern.exec(detail.trim());
    if (match) return { key, params: params(match) };
  }
  return null;
}

/** The problem types of the contract, without their prefix. */
const BY_TYPE: Record<string, MessageKey> = {
  csrf: "errors.csrf",
  "mfa-required": "errors.mfaRequired",
  "mfa-enrolment-required": "errors.mfaEnrolmentRequired",
  "tenant-choice-required": "errors.tenantChoice",
  "not-ready": "errors.unavailable",
  "slug-taken": "errors.nameTaken",
};

const BY_STATUS: Record<number, MessageKey> = {
  400: "errors.badRequest",
  401: "errors.unauthenticated",
  403: "errors.forbidden",
  404: "errors.notFound",
  408: "errors.timeout",
  409: "errors.conflict",
  412: "errors.stale",
  413: "errors.tooLarge",
  415: "errors.unsupportedType",
  422: "errors.badRequest",
  429: "errors.rateLimited",
  431: "errors.badRequest",
  500: "errors.server",
  502: "errors.unavailable",
  503: "errors.unavailable",
  504: "errors.timeout",
};

export function explainError(error: unknown): Explained {
  if (!(error instanceof ApiError)) {
    return { key: "errors.unknown" };
  }
  const out: Explained = { key: "errors.unknown", status: error.status };
  if (error.requestId) out.requestId = error.requestId;
  if (error.type === NETWORK_ERROR_TYPE || error.status === 0) {
    out.key = "errors.network";
    return out;
  }
  const byType = BY_TYPE[error.problem];
  if (byType) out.key = byType;
  else if (error.status === 400 && error.fieldErrors.length > 0) out.key = "errors.invalid";
  else out.key = BY_STATUS[error.status] ?? (error.status >= 500 ? "errors.server" : "errors.unknown");
  if (out.key === "errors.rateLimited") {
    out.params = { seconds: error.retryAfterSeconds ?? 1 };
  }
  // The detail explains a 400, 403, 404 or 409 better than the status does; 5xx details never add
  // anything a user can act on.
  if (error.detail && error.status < 500 && error.status !== 401 && error.status !== 429) {
    const known = translateDetail(error.detail);
    out.detail = known ?? { text: error.detail };
  }
  return out;
}

/** Field messages of the server's validation (`errors[].message`), said in the user's language. */
const FIELD_MESSAGES: [RegExp, MessageKey, (m: RegExpExecArray) => Record<string, string | number>][] = [
  [/^is required$/, "field.required", () => ({})],
  [/^is empty$/, "field.required", () => ({})],
  [/^must be at most (\d+) characters$/, "field.maxChars", (m) => ({ max: Number(m[1]) })],
  [/^must have at most (\d+) (items|images|entries)$/, "field.maxItems", (m) => ({ max: Number(m[1]) })],
  [/^must be valid UTF-8/, "field.utf8", () => ({})],
  [/^must be one line without control characters$/, "field.oneLine", () => ({})],
  [/^is listed twice$/, "field.duplicate", () => ({})],
  [/^lists a rating twice$/, "field.duplicate", () => ({})],
  [/^has a boundary already$/, "field.boundaryTwice", () => ({})],
  [/^must allow at least one rating$/, "field.oneRating", () => ({})],
  [/^must be an IANA time zone/, "field.timezone", () => ({})],
  [/^must list 1-10 languages/, "field.languages", () => ({})],
  [/^must be a BCP 47 language tag/, "field.language", () => ({})],
  [/^must be a hashtag word/, "field.hashtag", () => ({})],
  [/^must be 1-64 letters, digits/, "field.handle", () => ({})],
  [/^must be between (\d+) and (\d+)/, "field.between", (m) => ({ min: Number(m[1]), max: Number(m[2]) })],
  [/^is not a known field$/, "field.unknown", () => ({})],
  [/^not a valid e-mail address$/, "field.email", () => ({})],
  [/^must be in the future/, "field.future", () => ({})],
  [/^must be in the past/, "field.past", () => ({})],
  [/^does not exist$/, "field.notFound", () => ({})],
  [/^is out of range$/, "field.outOfRange", () => ({})],
  [/^give a media_id or a brief/, "field.mediaOrBrief", () => ({})],
];

export function translateFieldMessage(message: string): { key: MessageKey; params: Record<string, string | number> } | null {
  for (const [pattern, key, params] of FIELD_MESSAGES) {
    const match = pattern.exec(message.trim());
    if (match) return { key, params: params(match) };
  }
  return null;
}

/** The field errors of `error` for the fields under `prefix` ("voice." gives "voice.tone", ...). */
export function fieldErrorsUnder(error: unknown, prefix = ""): Map<string, string> {
  const map = new Map<string, string>();
  if (!(error instanceof ApiError)) return map;
  for (const { field, message } of error.fieldErrors) {
    if (field.startsWith(prefix) && !map.has(field)) map.set(field, message);
  }
  return map;
}

/** Why a persona cannot be activated, read from the server's `activation_blocker` sentence. */
export type Blocker =
  | { kind: "minor"; field: string; phrase: string }
  | { kind: "attestation" }
  | { kind: "consent_missing" }
  | { kind: "consent_document" }
  | { kind: "consent_expired" }
  | { kind: "other"; text: string };

export function classifyBlocker(text: string): Blocker {
  const minor = /^Personas must be adults: (\S+) contains "(.*)" \(/.exec(text);
  if (minor) return { kind: "minor", field: minor[1] ?? "", phrase: minor[2] ?? "" };
  if (/attestation that it is an invented adult/.test(text)) return { kind: "attestation" };
  if (/needs that adult's recorded consent/.test(text)) return { kind: "consent_missing" };
  if (/has no signed document/.test(text)) return { kind: "consent_document" };
  if (/consent record has expired/.test(text)) return { kind: "consent_expired" };
  return { kind: "other", text };
}
