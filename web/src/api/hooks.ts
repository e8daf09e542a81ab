// TanStack Query hooks over the API: one query key per resource, so that a change invalidates
// exactly what shows it.
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { api } from "./client";
import type {
  ApiKey,
  Caption,
  CaptionListQuery,
  CaptionPage,
  JobDetail,
  JobListQuery,
  JobPage,
  LlmProvider,
  QueueStats,
  Invitation,
  MediaCategory,
  MediaFolder,
  MediaItem,
  MediaListQuery,
  MediaPage,
  Member,
  Persona,
  Session,
} from "./types";

export const keys = {
  me: ["me"] as const,
  sessions: ["sessions"] as const,
  personas: ["personas"] as const,
  persona: (id: string) => ["personas", id] as const,
  categories: ["media", "categories"] as const,
  folders: ["media", "folders"] as const,
  media: (filters: MediaListQuery) => ["media", "list", filters] as const,
  mediaItem: (id: string) => ["media", "item", id] as const,
  members: ["members"] as const,
  invitations: ["invitations"] as const,
  apiKeys: ["api-keys"] as const,
  setup: ["setup"] as const,
  captions: ["captions"] as const,
  captionList: (filters: CaptionListQuery) => ["captions", "list", filters] as const,
  caption: (id: string) => ["captions", "item", id] as const,
  jobs: ["jobs"] as const,
  jobList: (filters: JobListQuery) => ["jobs", "list", filters] as const,
  job: (id: number | string) => ["jobs", "item", String(id)] as const,
  jobQueues: ["jobs", "queues"] as const,
  llmModels: ["llm", "models"] as const,
};

export function usePersonas(enabled = true) {
  return useQuery({
    queryKey: keys.personas,
    queryFn: () => api.get<{ items: Persona[] }>("/api/v1/personas").then((r) => r.items),
    enabled,
  });
}

export interface PersonaWithRevision {
  persona: Persona;
  etag: string | null;
}

export function usePersona(id: string) {
  return useQuery({
    queryKey: keys.persona(id),
    queryFn: async (): Promise<PersonaWithRevision> => {
      const response = await api.send<Persona>("GET", `/api/v1/personas/${encodeURIComponent(id)}`);
      return { persona: response.data, etag: response.headers.get("ETag") };
    },
  });
}

export function useCategories(enabled = true) {
  return useQuery({
    queryKey: keys.categories,
    queryFn: () => api.get<{ items: MediaCategory[] }>("/api/v1/media/categories").then((r) => r.items),
    staleTime: 60_000,
    enabled,
  });
}

export function useFolders(enabled = true) {
  return useQuery({
    queryKey: keys.folders,
    queryFn: () => api.get<{ folders: MediaFolder[] }>("/api/v1/media/folders").then((r) => r.folders),
    enabled,
  });
}

export const MEDIA_PAGE_SIZE = 48;

export function useMediaPages(filters: MediaListQuery) {
  return useInfiniteQuery({
    queryKey: keys.media(filters),
    queryFn: ({ pageParam }) =>
      api.get<MediaPage>("/api/v1/media", { query: { ...filters, limit: MEDIA_PAGE_SIZE, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
}

export function useMediaItem(id: string | undefined) {
  return useQuery({
    queryKey: keys.mediaItem(id ?? ""),
    queryFn: () => api.get<MediaItem>(`/api/v1/media/${encodeURIComponent(id ?? "")}`),
    enabled: !!id,
  });
}

export function useDocuments(enabled = true) {
  return useQuery({
    queryKey: keys.media({ kind: "document" }),
    queryFn: () => api.get<MediaPage>("/api/v1/media", { query: { kind: "document", limit: 200 } }),
    enabled,
  });
}

export function useImages(personaId: string | undefined, enabled = true) {
  const filters: MediaListQuery = personaId ? { kind: "image", persona_id: personaId } : { kind: "image" };
  return useQuery({
    queryKey: keys.media({ ...filters, limit: 200 }),
    queryFn: () => api.get<MediaPage>("/api/v1/media", { query: { ...filters, limit: 200 } }),
    enabled,
  });
}

export function useSessions() {
  return useQuery({
    queryKey: keys.sessions,
    queryFn: () => api.get<{ items: Session[] }>("/api/v1/sessions").then((r) => r.items),
  });
}

export function useMembers(enabled = true) {
  return useQuery({
    queryKey: keys.members,
    queryFn: () => api.get<{ items: Member[] }>("/api/v1/members").then((r) => r.items),
    enabled,
  });
}

export function useInvitations(enabled = true) {
  return useQuery({
    queryKey: keys.invitations,
    queryFn: () => api.get<{ items: Invitation[] }>("/api/v1/invitations").then((r) => r.items),
    enabled,
  });
}

export function useApiKeys(enabled = true) {
  return useQuery({
    queryKey: keys.apiKeys,
    queryFn: () => api.get<{ items: ApiKey[] }>("/api/v1/api-keys").then((r) => r.items),
    enabled,
  });
}

/** The URL of a variant, from the item's own list (falls back to the documented path). */
export function variantUrl(item: { id: string; variants: { name: string; url: string }[] }, name: string): string | undefined {
  const found = item.variants.find((v) => v.name === name);
  if (found) return found.url;
  return undefined;
}

export const CAPTION_PAGE_SIZE = 25;

export function useCaptionPages(filters: CaptionListQuery, enabled = true) {
  return useInfiniteQuery({
    queryKey: keys.captionList(filters),
    queryFn: ({ pageParam }) =>
      api.get<CaptionPage>("/api/v1/captions", { query: { ...filters, limit: CAPTION_PAGE_SIZE, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    enabled,
  });
}

export interface CaptionWithRevision {
  caption: Caption;
  etag: string | null;
}

export function useCaption(id: string | null) {
  return useQuery({
    queryKey: keys.caption(id ?? ""),
    queryFn: async (): Promise<CaptionWithRevision> => {
      const response = await api.send<Caption>("GET", `/api/v1/captions/${encodeURIComponent(id ?? "")}`);
      return { caption: response.data, etag: response.headers.get("ETag") };
    },
    enabled: !!id,
  });
}

export const JOB_PAGE_SIZE = 50;

export function useJobPages(filters: JobListQuery) {
  return useInfiniteQuery({
    queryKey: keys.jobList(filters),
    queryFn: ({ pageParam }) => api.get<JobPage>("/api/v1/jobs", { query: { ...filters, limit: JOB_PAGE_SIZE, cursor: pageParam ?? undefined } }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    // The list is live: queued and running jobs move on their own.
    refetchInterval: 5000,
  });
}

export function useJobQueues() {
  return useQuery({
    queryKey: keys.jobQueues,
    queryFn: () => api.get<{ items: QueueStats[] }>("/api/v1/jobs/queues").then((r) => r.items),
    refetchInterval: 5000,
  });
}

export function fetchJob(id: number | string): Promise<JobDetail> {
  return api.get<JobDetail>(`/api/v1/jobs/${encodeURIComponent(String(id))}`);
}

export function useLlmModels(enabled = true) {
  return useQuery({
    queryKey: keys.llmModels,
    queryFn: () => api.get<{ providers: LlmProvider[] }>("/api/v1/llm/models").then((r) => r.providers),
    enabled,
    staleTime: 10_000,
  });
}
