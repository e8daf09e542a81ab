// One caption: its generation followed through its job (useJob), then the text with the safety
// decision and its reasons, the edit form (the server checks the edited text again) and approval.
import { useEffect, useState, type ReactNode } from "react";
import { Link } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useCaption, useMediaItem, usePersonas, type CaptionWithRevision } from "../../api/hooks";
import type { Caption, CaptionEdit, CaptionFinding, CaptionStatus, JobDetail, Verdict } from "../../api/types";
import { useAuth } from "../../auth";
import { CopyButton } from "../../components/CopyButton";
import { ErrorMessage } from "../../components/ErrorMessage";
import { ListInput, TextArea, TextInput } from "../../components/form";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, Card, DescriptionList, IconButton, LoadingState, type Tone } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import type { MessageKey } from "../../i18n/messages";
import { ruleFamilyKey } from "../../lib/captions";
import { fieldErrorsUnder } from "../../lib/errors";
import { isFinalJob } from "../../lib/jobs";
import { useJob } from "../jobs/useJob";

const STATUS_TONE: Record<CaptionStatus, Tone> = { queued: "info", ready: "success", needs_review: "warning", blocked: "danger", failed: "danger" };
const VERDICT_TONE: Record<Verdict, Tone> = { allow: "success", needs_review: "warning", block: "danger" };

export function CaptionStatusBadge({ status }: { status: CaptionStatus }) {
  const { t } = useI18n();
  return <Badge tone={STATUS_TONE[status]}>{t(`captionStatus.${status}`)}</Badge>;
}

export function CaptionPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const { t } = useI18n();
  const caption = useCaption(id);
  const queryClient = useQueryClient();
  const current = caption.data?.caption;
  // Follow the job while the caption is being written; when it ends, read the caption again.
  const job = useJob(current?.status === "queued" ? current.job_id : null);
  const jobEnded = isFinalJob(job.data);
  const jobUpdated = job.dataUpdatedAt;
  useEffect(() => {
    if (!current || current.status !== "queued" || !job.data) return;
    if (jobEnded || (job.data.caption && job.data.caption.status !== "queued")) {
      void queryClient.invalidateQueries({ queryKey: keys.caption(id) });
      void queryClient.invalidateQueries({ queryKey: ["captions", "list"] });
    }
  }, [jobEnded, jobUpdated]); // on each new answer about the job, not on every render

  const header = (
    <IconButton icon="close" label={t("captions.closePanel")} onClick={onClose} />
  );
  if (caption.isPending) {
    return (
      <Card title={t("captions.caption")} actions={header} id="caption-panel">
        <LoadingState />
      </Card>
    );
  }
  if (caption.isError) {
    return (
      <Card title={t("captions.caption")} actions={header} id="caption-panel">
        <ErrorMessage error={caption.error} onRetry={() => void caption.refetch()} />
      </Card>
    );
  }
  return <CaptionView data={caption.data} job={job.data} onClose={onClose} />;
}

function CaptionView({ data, job, onClose }: { data: CaptionWithRevision; job: JobDetail | undefined; onClose: () => void }) {
  const { t, relative, dateTime } = useI18n();
  const { can } = useAuth();
  const personas = usePersonas();
  const c = data.caption;
  const media = useMediaItem(c.media_id ?? undefined);
  const [editing, setEditing] = useState(false);
  useEffect(() => setEditing(false), [c.id]);
  const persona = personas.data?.find((p) => p.id === c.persona_id);
  const hasText = c.status !== "queued" && c.status !== "failed";
  const thumb = media.data?.variants.find((v) => v.name === "thumbnail");

  return (
    <Card
      id="caption-panel"
      className="caption-panel"
      title={
        <span className="caption-panel-title">
          {t("captions.panelTitle", { platform: t(`platform.${c.platform}`), persona: persona?.display_name ?? t("captions.unknownPersona") })}
        </span>
      }
      description={
        <span className="caption-panel-meta">
          <CaptionStatusBadge status={c.status} />
          <span>
            <time dateTime={new Date(c.created_at).toISOString()} title={dateTime(c.created_at)}>
              {t("captions.orderedWhen", { when: relative(c.created_at) })}
            </time>
          </span>
        </span>
      }
      actions={<IconButton icon="close" label={t("captions.closePanel")} onClick={onClose} />}
    >
      <div className="stack" aria-live="polite">
        {(c.media_id || c.brief) && (
          <div className="caption-source">
            {c.media_id && (
              <Link to={`/media/${encodeURIComponent(c.media_id)}`} className="caption-source-media">
                <span className="media-pick-thumb" aria-hidden="true">
                  {thumb ? <img src={thumb.url} alt="" width={thumb.width} height={thumb.height} /> : <Icon name="image" size={22} />}
                </span>
                <span>{media.data ? media.data.description || media.data.original_name : t("captions.vaultItem")}</span>
              </Link>
            )}
            {c.brief && (
              <p className="caption-brief">
                <span className="caption-label">{t("captions.brief")}</span> {c.brief}
              </p>
            )}
          </div>
        )}
        {c.status === "queued" && <Generating caption={c} job={job} />}
        {c.status === "failed" && (
          <Callout tone="danger" title={t("captions.failedTitle")}>
            <p>{c.error || t("captions.failedText")}</p>
            {c.job_id !== null && (
              <p>
                <Link to={`/jobs?job=${c.job_id}`}>{t("captions.openJob", { id: c.job_id })}</Link>
              </p>
            )}
          </Callout>
        )}
        {hasText && !editing && <CaptionContent caption={c} />}
        {hasText && editing && <EditForm data={data} onDone={() => setEditing(false)} />}
        {hasText && <Decision caption={c} />}
        {hasText && !editing && (
          <>
            <DescriptionList
              items={[
                [t("captions.writtenBy"), c.template_only || !c.model ? t("captions.templateOnly") : `${c.model} · ${c.provider}`],
                [t("captions.language"), c.language],
                [t("captions.updated"), <time key="u" dateTime={new Date(c.updated_at).toISOString()} title={dateTime(c.updated_at)}>{relative(c.updated_at)}</time>],
                ...(c.job_id !== null ? ([[t("captions.job"), <Link key="j" to={`/jobs?job=${c.job_id}`}>#{c.job_id}</Link>]] as [string, ReactNode][]) : []),
              ]}
            />
            <CaptionActions data={data} onEdit={() => setEditing(true)} canEdit={can("captions.write")} canApprove={can("captions.approve")} />
          </>
        )}
      </div>
    </Card>
  );
}

/** The generation in progress: the job's steps, its attempts and the last error of a retry. */
function Generating({ caption, job }: { caption: Caption; job: JobDetail | undefined }) {
  const { t } = useI18n();
  const state = job?.state ?? caption.job_state ?? "queued";
  const running = state === "running";
  const steps: { key: MessageKey; status: "done" | "active" | "todo" }[] = [
    { key: "captions.stepQueued", status: running ? "done" : "active" },
    { key: "captions.stepWriting", status: running ? "active" : "todo" },
    { key: "captions.stepChecking", status: "todo" },
  ];
  return (
    <div className="generating" role="status">
      <div className="generating-head">
        <span className="spinner" aria-hidden="true" />
        <div>
          <p className="generating-title">{t("captions.generatingTitle")}</p>
          <p className="generating-text">{running ? t("captions.generatingRunning") : t("captions.generatingQueued")}</p>
        </div>
      </div>
      <progress className="progress-indeterminate" aria-label={t("captions.generatingTitle")} />
      <ol className="steps">
        {steps.map((s) => (
          <li key={s.key} className={`step step-${s.status}`}>
            <span className="step-mark" aria-hidden="true">
              {s.status === "done" ? <Icon name="check" size={14} /> : null}
            </span>
            <span>{t(s.key)}</span>
            <span className="visually-hidden">{t(`captions.step.${s.status}`)}</span>
          </li>
        ))}
      </ol>
      {job && job.attempts > 0 && (
        <p className="muted-note">
          {t("captions.attempt", { n: job.attempts + (running ? 0 : 1), max: job.max_attempts })}
          {job.retrying && job.last_error ? ` — ${t("captions.lastError", { error: job.last_error })}` : ""}
        </p>
      )}
      {caption.job_id !== null && (
        <p className="muted-note">
          <Link to={`/jobs?job=${caption.job_id}`}>{t("captions.openJob", { id: caption.job_id })}</Link>
        </p>
      )}
    </div>
  );
}

function CaptionContent({ caption }: { caption: Caption }) {
  const { t } = useI18n();
  return (
    <div className="caption-content">
      {caption.title && (
        <div>
          <p className="caption-label">{t("captions.titleField")}</p>
          <p className="caption-title-text">{caption.title}</p>
        </div>
      )}
      <div>
        <p className="caption-label">{t("captions.text")}</p>
        <p className="caption-text">{caption.text}</p>
      </div>
      <div className="caption-parts">
        <div>
          <p className="caption-label">{t("captions.callToAction")}</p>
          <p>{caption.call_to_action || <span className="muted">{t("captions.noCallToAction")}</span>}</p>
        </div>
        <div>
          <p className="caption-label">{t("captions.hashtags")}</p>
          {caption.hashtags.length ? (
            <ul className="chips" aria-label={t("captions.hashtags")}>
              {caption.hashtags.map((h) => (
                <li key={h} className="chip">
                  #{h.replace(/^#/, "")}
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">{t("captions.noHashtags")}</p>
          )}
        </div>
      </div>
      {(caption.dropped_hashtags.length > 0 || caption.shortened) && (
        <ul className="caption-notes">
          {caption.shortened && <li>{t("captions.shortened", { platform: t(`platform.${caption.platform}`) })}</li>}
          {caption.dropped_hashtags.map((d) => (
            <li key={d}>{t("captions.dropped", { tag: d })}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function Decision({ caption }: { caption: Caption }) {
  const { t, dateTime } = useI18n();
  const decision = caption.decision;
  if (!decision) return null;
  const verdict = decision.verdict;
  const approved = caption.approved_at !== null;
  const findings = decision.findings.filter((f) => f.verdict !== "allow" || f.reason);
  return (
    <section className={`decision decision-${verdict}`} aria-labelledby="decision-title">
      <Callout
        tone={approved ? "success" : VERDICT_TONE[verdict]}
        icon={verdict === "allow" || approved ? "shield" : "warning"}
        title={<span id="decision-title">{t(approved ? "decision.approved" : `decision.${verdict}`)}</span>}
      >
        <p>{approved && caption.approved_at ? t("decision.approvedText", { when: dateTime(caption.approved_at) }) : t(`decision.${verdict}.text`)}</p>
        {decision.mark_adult && (
          <p>
            <Badge tone="warning">{t("decision.markAdult")}</Badge>
          </p>
        )}
      </Callout>
      <h3 className="decision-why">{t("decision.why")}</h3>
      {findings.length === 0 ? (
        <p className="muted-note">{t("decision.noFindings")}</p>
      ) : (
        <ul className="findings" aria-label={t("decision.why")}>
          {findings.map((f, i) => (
            <Finding key={`${f.rule}-${i}`} finding={f} />
          ))}
        </ul>
      )}
    </section>
  );
}

function Finding({ finding }: { finding: CaptionFinding }) {
  const { t } = useI18n();
  return (
    <li className={`finding finding-${finding.verdict}`}>
      <Badge tone={finding.verdict === "allow" ? "neutral" : VERDICT_TONE[finding.verdict]}>{t(`findingVerdict.${finding.verdict}`)}</Badge>
      <div className="finding-body">
        <p className="finding-rule">
          {t(ruleFamilyKey(finding.rule))} <code>{finding.rule}</code>
        </p>
        <p className="finding-reason">{finding.reason}</p>
        {(finding.field || finding.matched) && (
          <p className="finding-meta">
            {finding.field && t("decision.field", { field: finding.field })}
            {finding.field && finding.matched && " · "}
            {finding.matched && (
              <>
                {t("decision.matched")} <mark>{finding.matched}</mark>
              </>
            )}
          </p>
        )}
      </div>
    </li>
  );
}

function CaptionActions({ data, onEdit, canEdit, canApprove }: { data: CaptionWithRevision; onEdit: () => void; canEdit: boolean; canApprove: boolean }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const toast = useToast();
  const c = data.caption;
  const approve = useMutation({
    mutationFn: async () => {
      const response = await api.send<Caption>("POST", `/api/v1/captions/${encodeURIComponent(c.id)}/approve`);
      return { caption: response.data, etag: response.headers.get("ETag") };
    },
    onSuccess: (next) => {
      queryClient.setQueryData(keys.caption(c.id), next);
      void queryClient.invalidateQueries({ queryKey: ["captions", "list"] });
      toast.success(t("captions.approved"));
    },
  });
  const full = [c.title, c.text].filter(Boolean).join("\n\n");
  return (
    <div className="stack">
      {approve.error && <ErrorMessage error={approve.error} />}
      <div className="form-actions form-actions-start">
        <CopyButton text={full} label={t("captions.copy")} size="md" />
        {canEdit && (
          <Button icon="edit" onClick={onEdit}>
            {t("captions.edit")}
          </Button>
        )}
        {canApprove && c.status === "needs_review" && (
          <Button variant="primary" icon="check" busy={approve.isPending} onClick={() => approve.mutate()}>
            {t("captions.approve")}
          </Button>
        )}
      </div>
      {!canEdit && <p className="muted-note">{t("captions.readOnly")}</p>}
    </div>
  );
}

function EditForm({ data, onDone }: { data: CaptionWithRevision; onDone: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const toast = useToast();
  const c = data.caption;
  const [text, setText] = useState(c.text);
  const [title, setTitle] = useState(c.title);
  const [cta, setCta] = useState(c.call_to_action);
  const [hashtags, setHashtags] = useState(c.hashtags.map((h) => h.replace(/^#/, "")));
  const save = useMutation({
    mutationFn: async () => {
      const body: CaptionEdit = {};
      if (text !== c.text) body.text = text;
      if (title !== c.title) body.title = title;
      if (cta !== c.call_to_action) body.call_to_action = cta;
      const before = c.hashtags.map((h) => h.replace(/^#/, ""));
      if (hashtags.join("\n") !== before.join("\n")) body.hashtags = hashtags;
      const response = await api.send<Caption>("PATCH", `/api/v1/captions/${encodeURIComponent(c.id)}`, {
        json: body,
        headers: data.etag ? { "If-Match": data.etag } : {},
      });
      return { caption: response.data, etag: response.headers.get("ETag") };
    },
    onSuccess: (next) => {
      queryClient.setQueryData(keys.caption(c.id), next);
      void queryClient.invalidateQueries({ queryKey: ["captions", "list"] });
      const verdict = next.caption.decision?.verdict ?? "allow";
      if (verdict === "allow") toast.success(t("captions.savedAllow"));
      else toast.info(t(verdict === "block" ? "captions.savedBlock" : "captions.savedReview"));
      onDone();
    },
  });
  const fields = fieldErrorsUnder(save.error);
  const showTitle = c.platform === "reddit" || !!c.title;
  return (
    <form
      className="stack caption-edit"
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate();
      }}
      noValidate
    >
      <Callout tone="info">{t("captions.editHelp")}</Callout>
      {showTitle && <TextInput label={t("captions.titleField")} value={title} onChange={(e) => setTitle(e.target.value)} error={fields.get("title")} />}
      <TextArea label={t("captions.text")} hint={t("captions.textHint")} value={text} onChange={(e) => setText(e.target.value)} error={fields.get("text")} rows={8} required />
      <TextInput label={t("captions.callToAction")} value={cta} onChange={(e) => setCta(e.target.value)} error={fields.get("call_to_action")} />
      <ListInput label={t("captions.hashtags")} hint={t("captions.hashtagsHint")} value={hashtags} onChange={setHashtags} prefix="#" error={fields.get("hashtags")} />
      {save.error && <ErrorMessage error={save.error} />}
      <div className="form-actions">
        <Button onClick={onDone}>{t("common.cancel")}</Button>
        <Button type="submit" variant="primary" busy={save.isPending} disabled={!text.trim()}>
          {t("captions.saveAndCheck")}
        </Button>
      </div>
    </form>
  );
}
