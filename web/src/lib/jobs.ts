// Pure helpers of the jobs page and of useJob (testable without a browser).
import type { Job } from "../api/types";
import { FINAL_JOB_STATES } from "../api/types";

export type JobAction = "retry" | "cancel" | "replay";

export function isFinalJob(job: { state: string } | undefined | null): boolean {
  return !!job && FINAL_JOB_STATES.has(job.state);
}

/** The delay before the next poll of a job: 1 s for the first polls, then a second more each time, up to 5 s. */
export function pollDelay(polls: number): number {
  return Math.min(5000, 1000 * Math.max(1, polls));
}

/** What a job allows in its state (the server decides; this only hides what it would refuse). */
export function jobActions(job: Pick<Job, "state" | "cancel_requested">): JobAction[] {
  if (job.state === "queued") return ["retry", "cancel"];
  if (job.state === "running") return job.cancel_requested ? [] : ["cancel"];
  if (job.state === "dead" || job.state === "cancelled") return ["replay"];
  return [];
}

/** "12 s", "4 min", "3 h", "2 d" (in the locale's words): the age of the oldest waiting job. */
export function formatAge(ms: number, locale: string): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const unit = (value: number, u: "second" | "minute" | "hour" | "day") =>
    new Intl.NumberFormat(locale, { style: "unit", unit: u, unitDisplay: "short", maximumFractionDigits: 0 }).format(value);
  if (seconds < 60) return unit(seconds, "second");
  if (seconds < 3600) return unit(Math.round(seconds / 60), "minute");
  if (seconds < 86400) return unit(Math.round(seconds / 3600), "hour");
  return unit(Math.round(seconds / 86400), "day");
}

/** How long an attempt took: "840 ms", "2.4 s", "3 min 5 s" (in the locale's numbers). */
export function formatDuration(ms: number, locale: string): string {
  const n = (value: number, digits = 0) => new Intl.NumberFormat(locale, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(value);
  if (ms < 1000) return `${n(Math.max(0, Math.round(ms)))}\u00a0ms`;
  if (ms < 60_000) return `${n(ms / 1000, 1)}\u00a0s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  return `${n(minutes)}\u00a0min ${n(seconds)}\u00a0s`;
}
