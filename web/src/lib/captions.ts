// Pure helpers of the captions page (testable without a browser).
import type { Caption } from "../api/types";
import type { MessageKey } from "../i18n/messages";

/** The first words of a caption (or of its brief once written without text); "" while it is being written. */
export function snippet(caption: Pick<Caption, "text" | "brief" | "status">, max = 90): string {
  const source = caption.text.trim() || (caption.status === "queued" ? "" : caption.brief.trim());
  const flat = source.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max - 1).trimEnd()}…` : flat;
}

/** The families of the safety rules (the part of a rule's name before the dot). */
export const RULE_FAMILIES = ["minors", "consent", "illegal", "terms", "names", "hashtags", "output", "boundary", "review", "persona", "disclosure"] as const;

/** The label of a safety rule's family ("terms.tenant" -> the agency's banned terms). */
export function ruleFamilyKey(rule: string): MessageKey {
  const family = rule.split(".")[0] ?? "";
  return (RULE_FAMILIES as readonly string[]).includes(family) ? (`safetyRule.${family}` as MessageKey) : "safetyRule.other";
}
