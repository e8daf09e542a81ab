// Names for the contract's schemas (generated into schema.d.ts from api/openapi.yaml), so that a
// contract change the dashboard does not follow breaks `tsc`, not the user.
import type { components, paths } from "./schema";

type Schemas = components["schemas"];

export type Problem = Schemas["Problem"];
export type Me = Schemas["Me"];
export type Role = Me["role"];
export type TenantChoice = Schemas["TenantChoice"];
export type ResourceScope = Schemas["ResourceScope"];
export type LoginRequest = Schemas["LoginRequest"];
export type SignedIn = Schemas["SignedIn"];
export type TotpEnrolment = Schemas["TotpEnrolment"];
export type RecoveryCodes = Schemas["RecoveryCodes"];
export type Session = Schemas["Session"];
export type SessionList = Schemas["SessionList"];
export type SetupStatus = Schemas["SetupStatus"];
export type SetupRequest = Schemas["SetupRequest"];
export type SetupDone = Schemas["SetupDone"];
export type Member = Schemas["Member"];
export type MemberUpdate = Schemas["MemberUpdate"];
export type Invitation = Schemas["Invitation"];
export type InvitationCreate = Schemas["InvitationCreate"];
export type CreatedInvitation = Schemas["CreatedInvitation"];
export type AcceptedInvitation = Schemas["AcceptedInvitation"];
export type ApiKey = Schemas["ApiKey"];
export type ApiKeyCreate = Schemas["ApiKeyCreate"];
export type CreatedApiKey = Schemas["CreatedApiKey"];
export type TenantUpdate = Schemas["TenantUpdate"];
export type TenantSecurity = Schemas["TenantSecurity"];
export type Persona = Schemas["Persona"];
export type PersonaInput = Schemas["PersonaInput"];
export type Character = Schemas["Character"];
export type Lorebook = NonNullable<Character["lorebook"]>;
export type LorebookEntry = NonNullable<Lorebook["entries"]>[number];
export type Consent = Schemas["Consent"];
export type ConsentInput = Schemas["ConsentInput"];
export type MediaItem = Schemas["MediaItem"];
export type MediaListItem = Schemas["MediaListItem"];
export type MediaVariant = MediaListItem["variants"][number];
export type MediaPage = Schemas["MediaPage"];
export type MediaUpdate = Schemas["MediaUpdate"];
export type MediaCategory = Schemas["MediaCategory"];
export type MediaFolder = Schemas["MediaFolder"];
export type Rating = MediaListItem["rating"];
export type Platform = NonNullable<Persona["boundaries"][number]["platform"]>;
export type Boundary = Persona["boundaries"][number];
export type ReviewMode = Persona["review_mode"];
export type PersonaKind = Persona["kind"];
export type PersonaStatus = Persona["status"];
export type EmojiUse = NonNullable<Persona["voice"]["emoji_use"]>;

export type ImportedCard =
  paths["/api/v1/personas/import"]["post"]["responses"]["201"]["content"]["application/json"];
export type MediaLink =
  paths["/api/v1/media/{id}/links"]["post"]["responses"]["201"]["content"]["application/json"];
export type MediaListQuery = NonNullable<paths["/api/v1/media"]["get"]["parameters"]["query"]>;

export const ROLES: readonly Role[] = ["owner", "admin", "manager", "chatter", "viewer"];
export const PLATFORMS: readonly Platform[] = ["x", "instagram", "reddit", "fanvue", "onlyfans"];
export const RATINGS: readonly Rating[] = ["sfw", "suggestive", "explicit"];
export const REVIEW_MODES: readonly ReviewMode[] = ["review_all", "review_explicit_only", "automatic_with_gates"];
export const EMOJI_USES: readonly EmojiUse[] = ["none", "light", "frequent"];

/** The actions of the authorization matrix (docs/authorization.md). */
export type Action =
  | "tenant.read"
  | "tenant.manage_security"
  | "members.list"
  | "members.invite"
  | "members.manage"
  | "api_keys.list"
  | "api_keys.manage"
  | "audit.read"
  | "personas.read"
  | "personas.manage"
  | "personas.activate"
  | "media.read"
  | "media.manage"
  | "captions.read"
  | "captions.write"
  | "captions.approve"
  | "content_settings.read"
  | "content_settings.manage"
  | "jobs.read"
  | "jobs.manage"
  | "llm.read";

export const ACTIONS: readonly Action[] = [
  "tenant.read",
  "tenant.manage_security",
  "members.list",
  "members.invite",
  "members.manage",
  "api_keys.list",
  "api_keys.manage",
  "audit.read",
  "personas.read",
  "personas.manage",
  "personas.activate",
  "media.read",
  "media.manage",
  "captions.read",
  "captions.write",
  "captions.approve",
  "content_settings.read",
  "content_settings.manage",
  "jobs.read",
  "jobs.manage",
  "llm.read",
];

// Captions, jobs and language models.
export type CaptionPlatform = Schemas["CaptionPlatform"];
export type CaptionStatus = Schemas["CaptionStatus"];
export type JobState = Schemas["JobState"];
export type Caption = Schemas["Caption"];
export type CaptionOrder = Schemas["CaptionOrder"];
export type CaptionEdit = Schemas["CaptionEdit"];
export type CaptionPage = Schemas["CaptionPage"];
export type CaptionDecision = Schemas["SafetyDecision"];
export type CaptionFinding = Schemas["SafetyFinding"];
export type Verdict = CaptionDecision["verdict"];
export type Job = Schemas["Job"];
export type JobAttempt = Schemas["JobAttempt"];
export type AttemptOutcome = JobAttempt["outcome"];
export type JobDetail = Schemas["JobDetail"];
export type JobPage = Schemas["JobPage"];
export type QueueStats = Schemas["JobQueueStats"];
export type JobQueueList = Schemas["JobQueueList"];
export type LlmModel = Schemas["LlmModel"];
export type LlmProvider = Schemas["LlmProviderStatus"];
export type LlmStatus = Schemas["LlmStatus"];
/** The list filters (without the paging ones, which the hooks add). */
export type CaptionListQuery = Omit<NonNullable<paths["/api/v1/captions"]["get"]["parameters"]["query"]>, "limit" | "cursor">;
export type JobListQuery = Omit<NonNullable<paths["/api/v1/jobs"]["get"]["parameters"]["query"]>, "limit" | "cursor">;

/** The platforms the dashboard writes captions for. */
export const CAPTION_PLATFORMS: readonly CaptionPlatform[] = ["x", "instagram", "reddit", "fanvue"];
export const CAPTION_STATUSES: readonly CaptionStatus[] = ["queued", "ready", "needs_review", "blocked", "failed"];
export const JOB_STATES: readonly JobState[] = ["queued", "running", "succeeded", "dead", "cancelled"];
export const FINAL_JOB_STATES: ReadonlySet<string> = new Set<JobState>(["succeeded", "dead", "cancelled"]);
