// Follows a long-running job until it ends: the hook pages use for generation and other queued work.
//
// It polls GET /api/v1/jobs/{id} with a back-off (1 s, then up to 5 s) while the job is queued or
// running, and stops when it reports a final state (succeeded, dead, cancelled). The job's detail
// carries its attempts, its last error and, for a caption job, the caption itself.
import { useQuery } from "@tanstack/react-query";
import { fetchJob, keys } from "../../api/hooks";
import type { JobDetail } from "../../api/types";
import { isFinalJob, pollDelay } from "../../lib/jobs";

export function useJob(id: number | string | null | undefined, fetch: (id: number | string) => Promise<JobDetail> = fetchJob) {
  return useQuery({
    queryKey: keys.job(id ?? ""),
    queryFn: () => fetch(id ?? ""),
    enabled: id !== null && id !== undefined && id !== "",
    refetchInterval: (query) => (isFinalJob(query.state.data) ? false : pollDelay(query.state.dataUpdateCount)),
  });
}
