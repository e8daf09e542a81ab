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
import { DataTable, type Column } from "../../components/DataTable";
import { FilterBar, FilterText, useUrlFilters } from "../../components/FilterBar";
import { PagedList, QueryList } from "../../components/Lists";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, Card, DescriptionList, LoadingState, PageHeader, RelativeTime, type Tone } from "../../components/ui";
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
  const columns: Column<QueueStats>[] = [
    {
      id: "queue",
      header: t("jobs.queue"),
      cell: (q) => (
        <button type="button" className="link-button" onClick={() => onFilter(q.queue)} aria-label={t("jobs.showQueue", { queue: q.queue })}>
          {q.queue}
        </button>
      ),
    },
    { id: "waiting", header: t("jobs.waiting"), className: "num", cell: (q) => number(q.available) },
    { id: "scheduled", header: t("jobs.scheduled"), className: "num", cell: (q) => number(q.scheduled) },
    { id: "running", header: t("jobs.running"), className: "num", cell: (q) => number(q.running) },
    { id: "dead", header: t("jobs.dead"), className: "num", cell: (q) => (q.dead > 0 ? <Badge tone="danger">{number(q.dead)}</Badge> : number(0)) },
    { id: "succeeded", header: t("jobs.succeeded24h"), className: "num", cell: (q) => number(q.succeeded_24h) },
    {
      id: "oldest",
      header: t("jobs.oldest"),
      cell: (q) =>
        q.oldest_available_age_ms === null ? (
          <span className="muted">{t("jobs.nothingWaiting")}</span>
        ) : (
          <Badge tone={q.oldest_available_age_ms > 5 * 60_000 ? "warning" : "neutral"} icon="clock">
            {formatAge(q.oldest_available_age_ms, locale)}
          </Badge>
        ),
    },
  ];
  return (
    <Card title={t("jobs.queues")} description={t("jobs.queuesHelp")} id="job-queues">
      <QueryList query={queues} empty={{ icon: "jobs", title: t("jobs.noQueuesTitle"), text: t("jobs.noQueuesText") }}>
        {(rows) => <DataTable caption={t("jobs.queues")} className="queue-table" columns={columns} rows={rows} rowKey={(q) => q.queue} />}
      </QueryList>
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
  const { t, tp } = useI18n();
  const kindLabel = useKindLabel();
  const filters = useUrlFilters(["job"]);
  const query = useMemo(() => filtersFromParams(filters.params), [filters.params]);
  const pages = useJobPages(query);
  const queues = useJobQueues();
  const queueNames = queues.data?.map((q) => q.queue) ?? [];
  const currentQueue = filters.params.get("queue");
  if (currentQueue && !queueNames.includes(currentQueue)) queueNames.push(currentQueue);
  const columns: Column<Job>[] = [
    {
      id: "job",
      header: t("jobs.job"),
      cell: (job) => (
        <>
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
        </>
      ),
    },
    { id: "queue", header: t("jobs.queue"), cell: (job) => job.queue },
    { id: "state", header: t("jobs.state"), cell: (job) => <JobStateBadge job={job} /> },
    { id: "attempts", header: t("jobs.attempts"), className: "nowrap", cell: (job) => t("jobs.attemptsOf", { n: job.attempts, max: job.max_attempts }) },
    { id: "created", header: t("jobs.created"), className: "nowrap", cell: (job) => <RelativeTime ms={job.created_at} /> },
    { id: "error", header: t("jobs.lastError"), className: "job-error-cell", cell: (job) => (job.last_error ? <span className="job-error-snippet">{job.last_error}</span> : <span className="muted">—</span>) },
  ];

  return (
    <Card title={t("jobs.list")} id="job-list">
      <FilterBar
        label={t("jobs.filters")}
        filters={filters}
        active={Object.keys(query).length > 0}
        choices={[
          { name: "state", label: t("jobs.state"), all: t("jobs.allStates"), options: JOB_STATES.map((s) => ({ value: s, label: t(`jobState.${s}`) })) },
          { name: "queue", label: t("jobs.queue"), all: t("jobs.allQueues"), options: queueNames.map((q) => ({ value: q, label: q })) },
        ]}
      >
        <FilterText filters={filters} name="kind" label={t("jobs.kind")} placeholder="caption.generate" />
      </FilterBar>
      <PagedList
        query={pages}
        filtered={Object.keys(query).length > 0}
        onClear={filters.clear}
        noMatch={{ title: t("jobs.noMatchTitle"), text: t("jobs.noMatchText") }}
        empty={{ icon: "jobs", title: t("jobs.emptyTitle"), text: t("jobs.emptyText") }}
        count={(n, more) => (more ? tp("jobs.shownMore", n) : tp("jobs.shown", n))}
      >
        {(items) => <DataTable caption={t("jobs.list")} className="job-table" columns={columns} rows={items} rowKey={(job) => job.id} />}
      </PagedList>
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
          <DataTable
            caption={t("jobs.history")}
            rows={job.history}
            rowKey={(a) => a.number}
            columns={[
              { id: "number", header: "#", labelTitle: true, cell: (a) => a.number },
              { id: "outcome", header: t("jobs.outcome"), cell: (a) => <Badge tone={OUTCOME_TONE[a.outcome]}>{t(`attemptOutcome.${a.outcome}`)}</Badge> },
              { id: "started", header: t("jobs.started"), className: "nowrap", cell: (a) => when(a.started_at) },
              { id: "duration", header: t("jobs.duration"), className: "nowrap", cell: (a) => (a.finished_at === null ? <span className="muted">—</span> : formatDuration(a.finished_at - a.started_at, locale)) },
              { id: "worker", header: t("jobs.worker"), cell: (a) => <code>{a.worker}</code> },
              { id: "error", header: t("jobs.error"), className: "job-error-cell", cell: (a) => a.error || <span className="muted">—</span> },
            ]}
          />
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
