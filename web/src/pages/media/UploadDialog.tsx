import { useState } from "react";
import { Link } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { useCategories, usePersonas } from "../../api/hooks";
import { uploadForm } from "../../api/upload";
import type { MediaItem, Rating } from "../../api/types";
import { RATINGS } from "../../api/types";
import { Dialog } from "../../components/Dialog";
import { useExplain } from "../../components/ErrorMessage";
import { ListInput, Select, TextInput } from "../../components/form";
import { Icon } from "../../components/Icon";
import { Badge, Button, ProgressBar } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { FilePicker } from "../personas/shared";
import { useCategoryLabel } from "../../lib/categories";

interface Job {
  file: File;
  state: "waiting" | "uploading" | "processing" | "done" | "failed";
  loaded: number;
  item?: MediaItem;
  error?: { message: string; detail?: string; requestId?: string };
}

export const ACCEPTED_MEDIA = "image/jpeg,image/png,image/webp,application/pdf";

/** Uploads one file after another, each with its own progress bar, then reports duplicates. */
export function UploadDialog({ onClose, defaultPersona }: { onClose: () => void; defaultPersona?: string }) {
  const { t, tp, bytes } = useI18n();
  const explain = useExplain();
  const queryClient = useQueryClient();
  const personas = usePersonas();
  const categories = useCategories();
  const categoryLabel = useCategoryLabel();
  const [files, setFiles] = useState<File[]>([]);
  const [personaId, setPersonaId] = useState(defaultPersona ?? "");
  const [category, setCategory] = useState("");
  const [rating, setRating] = useState<Rating>("sfw");
  const [tags, setTags] = useState<string[]>([]);
  const [description, setDescription] = useState("");
  const [jobs, setJobs] = useState<Job[]>([]);
  const running = jobs.some((j) => j.state === "uploading" || j.state === "processing" || j.state === "waiting");
  const finished = jobs.length > 0 && !running;

  const start = async () => {
    const queue: Job[] = files.map((file) => ({ file, state: "waiting", loaded: 0 }));
    setJobs(queue);
    for (let i = 0; i < queue.length; i++) {
      const job = queue[i];
      if (!job) continue;
      const update = (patch: Partial<Job>) => setJobs((all) => all.map((j, k) => (k === i ? { ...j, ...patch } : j)));
      update({ state: "uploading" });
      const form = new FormData();
      if (personaId) form.append("persona_id", personaId);
      if (category) form.append("category", category);
      form.append("rating", rating);
      if (tags.length) form.append("tags", tags.join(","));
      if (description.trim()) form.append("description", description.trim());
      form.append("file", job.file, job.file.name);
      try {
        const item = await uploadForm<MediaItem>(api, "/api/v1/media", form, {
          onProgress: (p) => update({ loaded: p.loaded, state: p.loaded >= p.total ? "processing" : "uploading" }),
        });
        update({ state: "done", item, loaded: job.file.size });
      } catch (e) {
        update({ state: "failed", error: explain(e) });
      }
    }
    void queryClient.invalidateQueries({ queryKey: ["media"] });
  };

  return (
    <Dialog
      open
      onClose={running ? () => undefined : onClose}
      size="lg"
      title={t("upload.title")}
      description={t("upload.help")}
      onSubmit={() => (finished ? onClose() : void start())}
      footer={
        finished ? (
          <>
            <Button
              onClick={() => {
                setJobs([]);
                setFiles([]);
              }}
            >
              {t("upload.more")}
            </Button>
            <Button type="submit" variant="primary">
              {t("common.done")}
            </Button>
          </>
        ) : (
          <>
            <Button onClick={onClose} disabled={running}>
              {t("common.cancel")}
            </Button>
            <Button type="submit" variant="primary" icon="upload" busy={running} disabled={files.length === 0}>
              {files.length > 1 ? tp("upload.startMany", files.length) : t("upload.start")}
            </Button>
          </>
        )
      }
    >
      {jobs.length === 0 ? (
        <div className="stack">
          <FilePicker accept={ACCEPTED_MEDIA} multiple file={files[0] ?? null} onFiles={setFiles} label={files.length > 1 ? tp("upload.filesChosen", files.length) : t("upload.choose")} hint={t("upload.types")} />
          <div className="form-grid">
            <Select label={t("media.persona")} value={personaId} onChange={(e) => setPersonaId(e.target.value)} options={[{ value: "", label: t("media.noPersona") }, ...(personas.data ?? []).map((p) => ({ value: p.id, label: p.display_name }))]} />
            <Select label={t("media.category")} value={category} onChange={(e) => setCategory(e.target.value)} options={[{ value: "", label: t("media.noCategory") }, ...(categories.data ?? []).map((c) => ({ value: c.name, label: categoryLabel(c) }))]} />
            <Select label={t("media.rating")} value={rating} onChange={(e) => setRating(e.target.value as Rating)} options={RATINGS.map((r) => ({ value: r, label: t(`rating.${r}`) }))} />
            <ListInput label={t("media.tags")} value={tags} onChange={setTags} />
          </div>
          <TextInput label={t("media.description")} value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
        </div>
      ) : (
        <ul className="upload-list" aria-label={t("upload.progress")}>
          {jobs.map((job, i) => (
            <li key={i} className={`upload-item state-${job.state}`}>
              <div className="upload-item-head">
                <Icon name={job.state === "done" ? "check" : job.state === "failed" ? "warning" : "upload"} size={18} />
                <span className="upload-name">{job.file.name}</span>
                <span className="muted">{bytes(job.file.size)}</span>
                <Badge tone={job.state === "done" ? "success" : job.state === "failed" ? "danger" : "neutral"}>{t(`upload.state.${job.state}`)}</Badge>
              </div>
              {(job.state === "uploading" || job.state === "processing" || job.state === "waiting") && (
                <ProgressBar value={job.loaded} max={job.file.size} label={job.state === "processing" ? t("upload.processing", { name: job.file.name }) : t("upload.uploadingFile", { name: job.file.name })} />
              )}
              {job.item && (
                <p className="upload-result">
                  <Link to={`/media/${encodeURIComponent(job.item.id)}`}>{t("upload.open")}</Link>
                  {job.item.variants.length > 0 && <span className="muted"> · {tp("upload.variants", job.item.variants.length)}</span>}
                </p>
              )}
              {job.item && job.item.near_duplicates.length > 0 && (
                <p className="upload-warning">
                  <Icon name="warning" size={16} />
                  {tp("media.duplicateWarning", job.item.near_duplicates.length)}{" "}
                  {job.item.near_duplicates.map((d, k) => (
                    <span key={d.media_id}>
                      {k > 0 && ", "}
                      <Link to={`/media/${encodeURIComponent(d.media_id)}`}>{d.identical ? t("media.identical") : t("media.similar", { distance: d.distance })}</Link>
                    </span>
                  ))}
                </p>
              )}
              {job.error && (
                <div className="upload-error" role="alert">
                  <p>{job.error.message}</p>
                  {job.error.detail && <p className="muted">{job.error.detail}</p>}
                  {job.error.requestId && <p className="muted">{t("errors.requestId", { id: job.error.requestId })}</p>}
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Dialog>
  );
}
