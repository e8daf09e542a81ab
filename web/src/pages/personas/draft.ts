// The editable part of a persona and what changed in it (pure, unit-tested).
import type { Persona, PersonaInput } from "../../api/types";

export type PersonaDraft = Required<Pick<PersonaInput, "display_name" | "handles" | "bio" | "timezone" | "languages" | "voice" | "boundaries" | "disclosures" | "visual" | "llm" | "review_mode" | "kind" | "character">>;

export const DRAFT_FIELDS: (keyof PersonaDraft)[] = [
  "display_name",
  "handles",
  "bio",
  "timezone",
  "languages",
  "voice",
  "boundaries",
  "disclosures",
  "visual",
  "llm",
  "review_mode",
  "kind",
  "character",
];

export function draftOf(persona: Persona): PersonaDraft {
  const copy = structuredClone(persona);
  return {
    display_name: copy.display_name,
    handles: copy.handles,
    bio: copy.bio,
    timezone: copy.timezone,
    languages: copy.languages,
    voice: copy.voice,
    boundaries: copy.boundaries,
    disclosures: copy.disclosures,
    visual: copy.visual,
    llm: copy.llm,
    review_mode: copy.review_mode,
    kind: copy.kind,
    character: copy.character,
  };
}

/** A stable text form of a value: object keys sorted, so that key order is not a change. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** The top-level fields that differ (the API replaces each field sent, whole). */
export function changedFields(initial: PersonaDraft, draft: PersonaDraft): Partial<PersonaDraft> {
  const out: Partial<PersonaDraft> = {};
  for (const field of DRAFT_FIELDS) {
    if (canonical(initial[field]) !== canonical(draft[field])) {
      (out as Record<string, unknown>)[field] = draft[field];
    }
  }
  return out;
}

/** Which editor tab shows a field of the API ("voice.hashtags[2]" is on the voice tab). */
export type EditorTab = "profile" | "voice" | "publishing" | "review" | "visual" | "llm" | "character";

export function tabOfField(field: string): EditorTab {
  const root = field.split(/[.[]/)[0] ?? "";
  switch (root) {
    case "voice":
      return "voice";
    case "boundaries":
    case "disclosures":
      return "publishing";
    case "review_mode":
    case "kind":
    case "consent":
      return "review";
    case "visual":
      return "visual";
    case "llm":
      return "llm";
    case "character":
      return "character";
    default:
      return "profile";
  }
}
