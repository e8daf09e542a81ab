import { describe, expect, it } from "vitest";
import { en } from "../i18n/en";
import { ACTIONS, CAPTION_PLATFORMS, CAPTION_STATUSES, JOB_STATES } from "../api/types";
import { RULE_FAMILIES, ruleFamilyKey, snippet } from "./captions";
import { formatAge, formatDuration, isFinalJob, jobActions, pollDelay } from "./jobs";

describe("captions", () => {
  it("shows the first words of a caption, nothing while it is being written", () => {
    expect(snippet({ text: "Golden  hour\nagain ", brief: "", status: "ready" })).toBe("Golden hour again");
    expect(snippet({ text: "a".repeat(200), brief: "", status: "ready" }, 10)).toBe(`${"a".repeat(9)}…`);
    expect(snippet({ text: "", brief: "Sunset on the roof", status: "queued" })).toBe("");
    expect(snippet({ text: "", brief: "Sunset on the roof", status: "failed" })).toBe("Sunset on the roof");
  });

  it("names every family of safety rules, and the others as a rule", () => {
    expect(ruleFamilyKey("terms.tenant")).toBe("safetyRule.terms");
    expect(ruleFamilyKey("output.hashtag_limit")).toBe("safetyRule.output");
    expect(ruleFamilyKey("something.new")).toBe("safetyRule.other");
    for (const family of RULE_FAMILIES) expect(Object.keys(en)).toContain(`safetyRule.${family}`);
  });

  it("has words for every platform, status, job state and action", () => {
    const keys = Object.keys(en);
    for (const p of CAPTION_PLATFORMS) expect(keys).toContain(`platform.${p}`);
    for (const s of CAPTION_STATUSES) expect(keys).toContain(`captionStatus.${s}`);
    for (const s of JOB_STATES) expect(keys).toContain(`jobState.${s}`);
    for (const a of ACTIONS) expect(keys).toContain(`action.${a}`);
  });
});

describe("jobs", () => {
  it("knows the final states", () => {
    expect(isFinalJob({ state: "succeeded" })).toBe(true);
    expect(isFinalJob({ state: "dead" })).toBe(true);
    expect(isFinalJob({ state: "cancelled" })).toBe(true);
    expect(isFinalJob({ state: "running" })).toBe(false);
    expect(isFinalJob(undefined)).toBe(false);
  });

  it("polls every second at first, then backs off to 5 s", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(pollDelay)).toEqual([1000, 1000, 2000, 3000, 4000, 5000, 5000]);
  });

  it("offers only what the server allows in each state", () => {
    expect(jobActions({ state: "queued", cancel_requested: false })).toEqual(["retry", "cancel"]);
    expect(jobActions({ state: "running", cancel_requested: false })).toEqual(["cancel"]);
    expect(jobActions({ state: "running", cancel_requested: true })).toEqual([]);
    expect(jobActions({ state: "dead", cancel_requested: false })).toEqual(["replay"]);
    expect(jobActions({ state: "cancelled", cancel_requested: false })).toEqual(["replay"]);
    expect(jobActions({ state: "succeeded", cancel_requested: false })).toEqual([]);
  });

  it("says ages and durations in the locale's units", () => {
    expect(formatAge(12_000, "en")).toBe("12 sec");
    expect(formatAge(4 * 60_000, "en")).toBe("4 min");
    expect(formatAge(3 * 3_600_000, "en")).toBe("3 hr");
    expect(formatAge(2 * 86_400_000, "en")).toBe("2 days");
    expect(formatDuration(840, "en")).toBe("840\u00a0ms");
    expect(formatDuration(2_400, "fr")).toBe("2,4\u00a0s");
    expect(formatDuration(185_000, "en")).toBe("3\u00a0min 5\u00a0s");
  });
});
