// The job queue, in our UI: the queues with their depth and the age of their oldest waiting job,
// the jobs with filters (state, queue, kind), and one job's detail with its attempts and errors,
// retry / cancel / replay where the role allows. The open job is in the address (?job=ID).
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useJobPages, useJobQueues } from "../../api/hooks";
import type { AttemptOutcome, Job, JobDetail, JobListQuery, JobState, QueueStats } from "../../api/types";
import { JOB_STATES } from "../../api/types";
import { useAuth } from "../../auth";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Select, TextInput } from "../../components/form";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, Card, DescriptionList, EmptyState, LoadingState, PageHeader, type Tone } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { useDocumentTitle } from "../../pages/useDocumentTitle";
import { formatAge, formatDuration, isFinalJob, jobActions, type JobAction } from "../../lib/jobs";
import { useJob } from "./useJob";

const STATE_TONE: Record<JobState, Tone> = { queued: "info", running: "accent", succeeded: "success", dead: "danger", cancelled: "neutral" };
const OUTCOME_TONE: Record<AttemptOutcome, Tone> = { running: "accent", succeeded: "success", failed: "danger", lease_expired: "warning", cancelled: "neutral", released: "neutral" };
const KNOWN_KINDS: Record<string, MessageKey> = { "caption.generate": "jobKind.caption.generate" };

export function JobStateBadge({ job }: { job: Pick<Job, "state" | "retrying" | "cancel_requested"> }) {
  const { t } = useI18n();
  if (job.state === "queued" && job.retrying) return <Badge tone="warning">{t("jobState.retrying")}</Badge>;
  if (job.state === "running" && job.cancel_requested) return <Badge tone="warning">{t("jobState.cancelling")}</Badge>;
  return <Badge tone={STATE_TONE[job.state]}>{t(`jobState.${job.state}`)}</Badge>;
}

export function useKindLabel() {
  const { t } = useI18n();
  return (kind: string) => (KNOWN_KINDS[kind] ? t(KNOWN_KINDS[kind]) : kind);
}

export function JobsPage() {
  const { t } = useI18n();
  useDocumentTitle(t("jobs.title"));
  const [params, setParams] = useSearchParams();
  const open = params.get("job");
  const setOpen = (id: number | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("job", String(id));
    else next.delete("job");
    setParams(next);
  };
  return (
    <div className="page">
      <PageHeader title={t("jobs.title")} description={t("jobs.subtitle")} />
      <QueuesCard onFilter={(queue) => {
        const next = new URLSearchParams(params);
        next.set("queue", queue);
        setParams(next, { replace: true });
      }} />
      <JobListCard onOpen={setOpen} />
      {open && <JobDialog id={open} onClose={() => setOpen(null)} />}
    </div>
  );
}

function QueuesCard({ onFilter }: { onFilter: (queue: string) => void }) {
  const { t, number, locale } = useI18n();
  const queues = useJobQueues();
  return (
    <Card title={t("jobs.queues")} description={t("jobs.queuesHelp")} id="job-queues">
      {queues.isPending ? (
        <LoadingState />
      ) : queues.isError ? (
        <ErrorMessage error={queues.error} onRetry={() => void queues.refetch()} />
      ) : queues.data.length === 0 ? (
        <EmptyState icon="jobs" title={t("jobs.noQueuesTitle")}>
          {t("jobs.noQueuesText")}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table queue-table">
            <caption className="visually-hidden">{t("jobs.queues")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("jobs.queue")}</th>
                <th scope="col" className="num">{t("jobs.waiting")}</th>
                <th scope="col" className="num">{t("jobs.scheduled")}</th>
                <th scope="col" className="num">{t("jobs.running")}</th>
                <th scope="col" className="num">{t("jobs.dead")}</th>
                <th scope="col" className="num">{t("jobs.succeeded24h")}</th>
                <th scope="col">{t("jobs.oldest")}</th>
              </tr>
            </thead>
            <tbody>
              {queues.data.map((q: QueueStats) => (
                <tr key={q.queue}>
                  <th scope="row">
                    <button type="button" className="link-button" onClick={() => onFilter(q.queue)} aria-label={t("jobs.showQueue", { queue: q.queue })}>
                      {q.queue}
                    </button>
                  </th>
                  <td className="num">{number(q.available)}</td>
                  <td className="num">{number(q.scheduled)}</td>
                  <td className="num">{number(q.running)}</td>
                  <td className="num">{q.dead > 0 ? <Badge tone="danger">{number(q.dead)}</Badge> : number(0)}</td>
                  <td className="num">{number(q.succeeded_24h)}</td>
                  <td>
                    {q.oldest_available_age_ms === null ? (
                      <span className="muted">{t("jobs.nothingWaiting")}</span>
                    ) : (
                      <Badge tone={q.oldest_available_age_ms > 5 * 60_000 ? "warning" : "neutral"} icon="clock">
                        {formatAge(q.oldest_available_age_ms, locale)}
                      </Badge>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function filtersFromParams(params: URLSearchParams): JobListQuery {
  const out: JobListQuery = {};
  const state = params.get("state");
  if (state && (JOB_STATES as readonly string[]).includes(state)) out.state = state;
  const queue = params.get("queue");
  if (queue) out.queue = queue;
  const kind = params.get("kind");
  if (kind) out.kind = kind;
  return out;
}

function JobListCard({ onOpen }: { onOpen: (id: number) => void }) {
  const { t, tp, relative, dateTime } = useI18n();
  const kindLabel = useKindLabel();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const pages = useJobPages(filters);
  const queues = useJobQueues();
  const [kindDraft, setKindDraft] = useState(params.get("kind") ?? "");
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = Object.keys(filters).length > 0;
  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const clear = () => {
    const next = new URLSearchParams();
    const job = params.get("job");
    if (job) next.set("job", job);
    setKindDraft("");
    setParams(next, { replace: true });
  };
  const queueNames = queues.data?.map((q) => q.queue) ?? [];
  const currentQueue = params.get("queue");
  if (currentQueue && !queueNames.includes(currentQueue)) queueNames.push(currentQueue);

  return (
    <Card title={t("jobs.list")} id="job-list">
      <form
        className="filters"
        role="search"
        aria-label={t("jobs.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter("kind", kindDraft.trim());
        }}
      >
        <Select label={t("jobs.state")} value={params.get("state") ?? ""} onChange={(e) => setFilter("state", e.target.value)} options={[{ value: "", label: t("jobs.allStates") }, ...JOB_STATES.map((s) => ({ value: s, label: t(`jobState.${s}`) }))]} />
        <Select label={t("jobs.queue")} value={currentQueue ?? ""} onChange={(e) => setFilter("queue", e.target.value)} options={[{ value: "", label: t("jobs.allQueues") }, ...queueNames.map((q) => ({ value: q, label: q }))]} />
        <TextInput label={t("jobs.kind")} value={kindDraft} placeholder="caption.generate" onChange={(e) => setKindDraft(e.target.value)} onBlur={() => setFilter("kind", kindDraft.trim())} />
        {filtered && (
          <div className="filters-reset">
            <Button variant="ghost" onClick={clear}>
              {t("media.clearFilters")}
            </Button>
          </div>
        )}
      </form>
      {pages.isPending ? (
        <LoadingState />
      ) : pages.isError ? (
        <ErrorMessage error={pages.error} onRetry={() => void pages.refetch()} />
      ) : items.length === 0 ? (
        filtered ? (
          <EmptyState icon="filter" title={t("jobs.noMatchTitle")} action={<Button onClick={clear}>{t("media.clearFilters")}</Button>}>
            {t("jobs.noMatchText")}
          </EmptyState>
        ) : (
          <EmptyState icon="jobs" title={t("jobs.emptyTitle")}>
            {t("jobs.emptyText")}
          </EmptyState>
        )
      ) : (
        <>
          <p className="result-count" aria-live="polite">
            {pages.hasNextPage ? tp("jobs.shownMore", items.length) : tp("jobs.shown", items.length)}
          </p>
          <div className="table-wrap">
            <table className="table job-table">
              <caption className="visually-hidden">{t("jobs.list")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("jobs.job")}</th>
                  <th scope="col">{t("jobs.queue")}</th>
                  <th scope="col">{t("jobs.state")}</th>
                  <th scope="col">{t("jobs.attempts")}</th>
                  <th scope="col">{t("jobs.created")}</th>
                  <th scope="col">{t("jobs.lastError")}</th>
                </tr>
              </thead>
              <tbody>
                {items.map((job) => (
                  <tr key={job.id}>
                    <th scope="row">
                      <Link
                        to={`?job=${job.id}`}
                        className="cell-title"
                        onClick={(e) => {
                          e.preventDefault();
                          onOpen(job.id);
                        }}
                      >
                        {kindLabel(job.kind)}
                      </Link>
                      <span className="cell-sub">
                        #{job.id} · <code>{job.kind}</code>
                      </span>
                    </th>
                    <td>{job.queue}</td>
                    <td>
                      <JobStateBadge job={job} />
                    </td>
                    <td className="nowrap">{t("jobs.attemptsOf", { n: job.attempts, max: job.max_attempts })}</td>
                    <td className="nowrap">
                      <time dateTime={new Date(job.created_at).toISOString()} title={dateTime(job.created_at)}>
                        {relative(job.created_at)}
                      </time>
                    </td>
                    <td className="job-error-cell">{job.last_error ? <span className="job-error-snippet">{job.last_error}</span> : <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {pages.hasNextPage && (
            <div className="load-more">
              <Button onClick={() => void pages.fetchNextPage()} busy={pages.isFetchingNextPage}>
                {t("media.loadMore")}
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  );
}

function JobDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const job = useJob(id);
  const title = t("jobs.detailTitle", { id });
  return (
    <Dialog open onClose={onClose} title={title} size="lg" footer={<JobFooter job={job.data} onClose={onClose} />}>
      {job.isPending ? <LoadingState /> : job.isError ? <ErrorMessage error={job.error} onRetry={() => void job.refetch()} /> : <JobDetailView job={job.data} />}
    </Dialog>
  );
}

function JobDetailView({ job }: { job: JobDetail }) {
  const { t, dateTime, relative, locale } = useI18n();
  const kindLabel = useKindLabel();
  const when = (ms: number | null) =>
    ms === null ? (
      <span className="muted">—</span>
    ) : (
      <time dateTime={new Date(ms).toISOString()} title={relative(ms)}>
        {dateTime(ms)}
      </time>
    );
  return (
    <div className="stack">
      <div className="job-summary">
        <JobStateBadge job={job} />
        <span>
          {kindLabel(job.kind)} · <code>{job.kind}</code>
        </span>
      </div>
      {job.state === "dead" && <Callout tone="danger" title={t("jobs.deadTitle")}>{t("jobs.deadText")}</Callout>}
      {job.state === "queued" && job.retrying && <Callout tone="warning" title={t("jobs.retryingTitle")}>{t("jobs.retryingText", { when: dateTime(job.run_at) })}</Callout>}
      {job.last_error && (
        <div>
          <h3 className="section-title">{t("jobs.lastError")}</h3>
          <pre className="code-block">{job.last_error}</pre>
        </div>
      )}
      <DescriptionList
        items={[
          [t("jobs.queue"), job.queue],
          [t("jobs.attempts"), t("jobs.attemptsOf", { n: job.attempts, max: job.max_attempts })],
          [t("jobs.priority"), String(job.priority)],
          [t("jobs.created"), when(job.created_at)],
          [t("jobs.runAt"), when(job.run_at)],
          [t("jobs.started"), when(job.started_at)],
          [t("jobs.finished"), when(job.finished_at)],
          [t("jobs.worker"), job.worker ? <code key="w">{job.worker}</code> : <span key="w" className="muted">—</span>],
        ]}
      />
      {job.caption && (
        <Callout tone="info" icon="captions" title={t("jobs.captionOfJob")}>
          <Link to={`/captions?caption=${encodeURIComponent(job.caption.id)}`}>{t("jobs.openCaption")}</Link>
        </Callout>
      )}
      <section aria-labelledby="job-attempts-title">
        <h3 className="section-title" id="job-attempts-title">
          {t("jobs.history")}
        </h3>
        {job.history.length === 0 ? (
          <p className="muted-note">{t("jobs.noAttempts")}</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t("jobs.history")}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t("jobs.outcome")}</th>
                  <th scope="col">{t("jobs.started")}</th>
                  <th scope="col">{t("jobs.duration")}</th>
                  <th scope="col">{t("jobs.worker")}</th>
                  <th scope="col">{t("jobs.error")}</th>
                </tr>
              </thead>
              <tbody>
                {job.history.map((a) => (
                  <tr key={a.number}>
                    <th scope="row">{a.number}</th>
                    <td>
                      <Badge tone={OUTCOME_TONE[a.outcome]}>{t(`attemptOutcome.${a.outcome}`)}</Badge>
                    </td>
                    <td className="nowrap">{when(a.started_at)}</td>
                    <td className="nowrap">{a.finished_at === null ? <span className="muted">—</span> : formatDuration(a.finished_at - a.started_at, locale)}</td>
                    <td>
                      <code>{a.worker}</code>
                    </td>
                    <td className="job-error-cell">{a.error || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <details className="details">
        <summary>{t("jobs.payload")}</summary>
        <pre className="code-block">{JSON.stringify(job.payload, null, 2)}</pre>
      </details>
      {job.result !== null && job.result !== undefined && (
        <details className="details">
          <summary>{t("jobs.result")}</summary>
          <pre className="code-block">{JSON.stringify(job.result, null, 2)}</pre>
        </details>
      )}
    </div>
  );
}

function JobFooter({ job, onClose }: { job: JobDetail | undefined; onClose: () => void }) {
  const { t } = useI18n();
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [confirmCancel, setConfirmCancel] = useState(false);
  const act = useMutation({
    mutationFn: (action: JobAction) => api.post<JobDetail>(`/api/v1/jobs/${job?.id ?? 0}/${action}`).then((r) => ({ action, job: r })),
    onSuccess: ({ action, job: next }) => {
      // Read it again (rather than only storing the answer), so that useJob follows it anew.
      queryClient.setQueryData(keys.job(next.id), next);
      void queryClient.invalidateQueries({ queryKey: keys.job(next.id) });
      void queryClient.invalidateQueries({ queryKey: ["jobs", "list"] });
      void queryClient.invalidateQueries({ queryKey: ["jobs", "queues"] });
      void queryClient.invalidateQueries({ queryKey: ["captions"] });
      setConfirmCancel(false);
      toast.success(t(`jobs.done.${action}`));
    },
  });
  const manage = can("jobs.manage");
  const actions = job ? jobActions(job) : [];
  return (
    <div className="job-footer">
      {act.error && <ErrorMessage error={act.error} compact />}
      {!manage && job && !isFinalJob(job) && <p className="muted-note">{t("jobs.readOnly")}</p>}
      <div className="form-actions">
        <Button onClick={onClose}>{t("common.close")}</Button>
        {manage && actions.includes("cancel") && (
          <Button variant="danger" onClick={() => setConfirmCancel(true)}>
            {t("jobs.cancel")}
          </Button>
        )}
        {manage && actions.includes("retry") && (
          <Button icon="play" busy={act.isPending && act.variables === "retry"} onClick={() => act.mutate("retry")}>
            {t("jobs.retry")}
          </Button>
        )}
        {manage && actions.includes("replay") && (
          <Button variant="primary" icon="play" busy={act.isPending && act.variables === "replay"} onClick={() => act.mutate("replay")}>
            {t("jobs.replay")}
          </Button>
        )}
      </div>
      <ConfirmDialog open={confirmCancel} onClose={() => setConfirmCancel(false)} onConfirm={() => act.mutate("cancel")} title={t("jobs.cancelTitle")} confirmLabel={t("jobs.cancel")} busy={act.isPending}>
        <p>{t("jobs.cancelText")}</p>
      </ConfirmDialog>
    </div>
  );
}
