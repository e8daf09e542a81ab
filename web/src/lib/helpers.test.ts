import { describe, expect, it } from "vitest";
import { ApiError, NETWORK_ERROR_TYPE } from "../api/client";
import { classifyBlocker, explainError, fieldErrorsUnder, translateDetail, translateFieldMessage } from "./errors";
import { describeUserAgent, formatBytes, fromDateInput, splitList, toDateInput } from "./format";
import { assignableRoles, can, mayManageMember, personaScope } from "./permissions";
import { changedFields, tabOfField, type PersonaDraft } from "../pages/personas/draft";
import { slugify } from "../pages/media/CategoriesDialog";
import { filtersFromParams } from "../pages/media/MediaVaultPage";
import { safeNext } from "../pages/SignInPage";
import { tokenFromHash } from "../pages/SetupPage";
import { invitationLink } from "../pages/team/TeamPage";
import type { Me } from "../api/types";

describe("explainError", () => {
  it("names network failures, CSRF refusals and rate limits", () => {
    expect(explainError(new ApiError({ status: 0, type: NETWORK_ERROR_TYPE })).key).toBe("errors.network");
    expect(explainError(new ApiError({ status: 403, type: "https://personae.dev/problems/csrf" })).key).toBe("errors.csrf");
    const limited = explainError(new ApiError({ status: 429, retryAfterSeconds: 12, requestId: "r9" }));
    expect(limited).toMatchObject({ key: "errors.rateLimited", params: { seconds: 12 }, requestId: "r9" });
  });

  it("uses the status, and the server's reason for conflicts (translated when known)", () => {
    const conflict = explainError(new ApiError({ status: 409, detail: "Refused while the persona is active" }));
    expect(conflict.key).toBe("errors.conflict");
    expect(conflict.detail).toEqual({ text: "Refused while the persona is active" });
    const known = explainError(new ApiError({ status: 401, detail: "password is wrong" }));
    expect(known.detail).toBeUndefined();
    expect(explainError(new ApiError({ status: 403, detail: "not allowed to grant that role" })).detail).toEqual({ key: "detail.roleTooHigh", params: {} });
    expect(explainError(new ApiError({ status: 412 })).key).toBe("errors.stale");
    expect(explainError(new ApiError({ status: 500, detail: "internal" })).detail).toBeUndefined();
    expect(explainError(new Error("boom")).key).toBe("errors.unknown");
  });

  it("says 'fields need attention' for a 400 with field errors", () => {
    expect(explainError(new ApiError({ status: 400, fieldErrors: [{ field: "bio", message: "is required" }] })).key).toBe("errors.invalid");
  });
});

describe("server texts said in the user's language", () => {
  it("recognises field messages", () => {
    expect(translateFieldMessage("must be at most 100 characters")).toEqual({ key: "field.maxChars", params: { max: 100 } });
    expect(translateFieldMessage("must be between 512 and 1048576 tokens")).toEqual({ key: "field.between", params: { min: 512, max: 1048576 } });
    expect(translateFieldMessage("something new")).toBeNull();
  });

  it("recognises details", () => {
    expect(translateDetail("the password is among the 1,000,000 most common passwords")).toEqual({ key: "detail.passwordCommon", params: { count: "1,000,000" } });
  });

  it("classifies activation blockers", () => {
    expect(classifyBlocker('Personas must be adults: bio contains "schoolgirl" (a term for a minor). Reword it, then activate.')).toEqual({ kind: "minor", field: "bio", phrase: "schoolgirl" });
    expect(classifyBlocker("A fictional persona is activated with the operator's attestation that it is an invented adult who depicts no real person.").kind).toBe("attestation");
    expect(classifyBlocker("A persona of a real person needs that adult's recorded consent (who, when, scope and the signed document) before it can be activated.").kind).toBe("consent_missing");
    expect(classifyBlocker("The consent record has expired; record a renewed consent first.").kind).toBe("consent_expired");
    expect(classifyBlocker("Something else")).toEqual({ kind: "other", text: "Something else" });
  });

  it("finds field errors under a prefix", () => {
    const error = new ApiError({ status: 400, fieldErrors: [{ field: "voice.tone", message: "x" }, { field: "bio", message: "y" }] });
    expect([...fieldErrorsUnder(error, "voice.").keys()]).toEqual(["voice.tone"]);
  });
});

describe("permissions", () => {
  const me = { actions: ["personas.read", "media.read"] } as unknown as Me;
  it("follows /api/v1/me actions", () => {
    expect(can(me, "personas.read")).toBe(true);
    expect(can(me, "personas.manage")).toBe(false);
    expect(can(null, "personas.read")).toBe(false);
  });
  it("lets nobody grant a role above their own, and only owners grant owner", () => {
    expect(assignableRoles("owner")).toEqual(["owner", "admin", "manager", "chatter", "viewer"]);
    expect(assignableRoles("admin")).toEqual(["admin", "manager", "chatter", "viewer"]);
    expect(mayManageMember("admin", "owner")).toBe(false);
    expect(mayManageMember("owner", "owner")).toBe(true);
  });
  it("reads persona scopes", () => {
    expect(personaScope([])).toBeNull();
    expect(personaScope([{ kind: "persona", ids: ["p1"] }])).toEqual(["p1"]);
  });
});

describe("formatting and small helpers", () => {
  it("formats sizes per locale", () => {
    expect(formatBytes(512, "en")).toBe("512 byte");
    expect(formatBytes(1536, "en")).toBe("1.5 kB");
    expect(formatBytes(5 * 1024 * 1024, "fr")).toMatch(/^5\s?Mo$/);
  });
  it("round-trips date inputs", () => {
    const ms = fromDateInput("2026-03-14");
    expect(ms).not.toBeNull();
    expect(toDateInput(ms)).toBe("2026-03-14");
    expect(fromDateInput("14/03/2026")).toBeNull();
  });
  it("splits lists", () => {
    expect(splitList("a, b,,a\nc ")).toEqual(["a", "b", "c"]);
  });
  it("names browsers", () => {
    expect(describeUserAgent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36")).toBe("Chrome · Linux");
    expect(describeUserAgent("curl/8.0")).toBe("curl");
  });
  it("makes category names", () => {
    expect(slugify("Behind the scènes!")).toBe("behind_the_scenes");
  });
  it("only follows same-site paths after sign-in", () => {
    expect(safeNext("/media?rating=sfw")).toBe("/media?rating=sfw");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext(null)).toBe("/");
  });
  it("reads tokens from the fragment and builds invitation links", () => {
    expect(tokenFromHash("#token=abc-123")).toBe("abc-123");
    expect(tokenFromHash("")).toBeNull();
    expect(invitationLink("t/k", "https://p.example")).toBe("https://p.example/invite#token=t%2Fk");
  });
  it("reads vault filters from the address", () => {
    expect(filtersFromParams(new URLSearchParams("persona=none&rating=explicit&kind=pdf&tag=red"))).toEqual({ unassigned: true, rating: "explicit", tag: "red" });
  });
});

describe("persona drafts", () => {
  const base = { display_name: "Luna", voice: { tone: "warm", hashtags: ["a"] }, handles: { x: "luna" } } as unknown as PersonaDraft;
  it("sends only the top-level fields that changed, whatever the key order", () => {
    const same = { ...base, handles: { x: "luna" }, voice: { hashtags: ["a"], tone: "warm" } } as unknown as PersonaDraft;
    expect(changedFields(base, same)).toEqual({});
    const changed = { ...base, voice: { tone: "cold", hashtags: ["a"] } } as unknown as PersonaDraft;
    expect(Object.keys(changedFields(base, changed))).toEqual(["voice"]);
  });
  it("maps API fields to editor tabs", () => {
    expect(tabOfField("voice.hashtags[2]")).toBe("voice");
    expect(tabOfField("boundaries[0].allowed_ratings")).toBe("publishing");
    expect(tabOfField("character.lorebook.entries[3].content")).toBe("character");
    expect(tabOfField("display_name")).toBe("profile");
  });
});
