import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useCategories, useMediaItem, usePersonas } from "../../api/hooks";
import type { MediaItem, MediaLink, MediaUpdate, Rating } from "../../api/types";
import { RATINGS } from "../../api/types";
import { useAuth } from "../../auth";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { DataTable } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SecretField } from "../../components/CopyButton";
import { ListInput, Select, TextArea } from "../../components/form";
import { Icon } from "../../components/Icon";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, Card, DescriptionList, LoadingState, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { fieldErrorsUnder } from "../../lib/errors";
import { useDocumentTitle } from "../useDocumentTitle";
import { RatingBadge } from "./MediaVaultPage";
import { useCategoryLabel } from "../../lib/categories";

export function MediaDetailPage() {
  const { id } = useParams();
  const { t } = useI18n();
  const query = useMediaItem(id);
  useDocumentTitle(query.data ? query.data.description || query.data.original_name : t("media.title"));
  if (query.isPending) return <LoadingState />;
  if (query.isError)
    return (
      <div className="page">
        <PageHeader title={t("media.title")} back={{ to: "/media", label: t("media.title") }} />
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      </div>
    );
  return <Detail key={`${query.data.id}:${query.data.updated_at_unix_ms}`} item={query.data} />;
}

function Detail({ item }: { item: MediaItem }) {
  const { t, tp, bytes, dateTime, number } = useI18n();
  const { can } = useAuth();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const personas = usePersonas();
  const categories = useCategories();
  const categoryLabel = useCategoryLabel();
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [linkFor, setLinkFor] = useState<string | null>(null);
  const manage = can("media.manage");
  const persona = personas.data?.find((p) => p.id === item.persona_id);
  const category = categories.data?.find((c) => c.name === item.category);
  const preview = item.kind === "image" ? (item.variants.find((v) => v.name === "original") ?? item.variants[0]) : undefined;
  const original = item.variants.find((v) => v.name === "original");

  const remove = useMutation({
    mutationFn: () => api.delete(`/api/v1/media/${encodeURIComponent(item.id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ["media"] });
      toast.success(t("media.deleted"));
      navigate("/media", { replace: true });
    },
  });

  return (
    <div className="page">
      <PageHeader
        title={item.description || item.original_name}
        back={{ to: "/media", label: t("media.title") }}
        description={
          <span className="badge-row">
            <RatingBadge rating={item.rating} />
            {category && <Badge>{categoryLabel(category)}</Badge>}
            {persona && <Badge tone="accent">{persona.display_name}</Badge>}
          </span>
        }
        actions={
          <>
            {original && (
              <a className="btn btn-secondary" href={original.url} download={item.original_name}>
                <Icon name="download" size={18} />
                <span>{t("media.download")}</span>
              </a>
            )}
            <Button icon="link" onClick={() => setLinkFor(original?.name ?? item.variants[0]?.name ?? "original")}>
              {t("media.signedLink")}
            </Button>
            {manage && (
              <Button variant="danger" icon="trash" onClick={() => setConfirmDelete(true)}>
                {t("common.delete")}
              </Button>
            )}
          </>
        }
      />
      {item.near_duplicates.length > 0 && (
        <Callout tone="warning" title={tp("media.duplicateWarning", item.near_duplicates.length)}>
          <ul className="callout-list">
            {item.near_duplicates.map((d) => (
              <li key={d.media_id}>
                <Link to={`/media/${encodeURIComponent(d.media_id)}`}>{d.identical ? t("media.identical") : t("media.similar", { distance: d.distance })}</Link>
              </li>
            ))}
          </ul>
        </Callout>
      )}
      <div className="detail-layout">
        <div className="detail-main">
          <Card>
            <div className="preview">
              {preview ? (
                <img src={preview.url} alt={item.description || item.original_name} width={preview.width} height={preview.height} />
              ) : (
                <div className="preview-doc">
                  <Icon name="file" size={48} />
                  <a href={original?.url ?? "#"} target="_blank" rel="noopener">
                    {t("media.openDocument")}
                  </a>
                </div>
              )}
            </div>
            {item.kind === "image" && (
              <div className="provenance">
                <Badge tone="info" icon="sparkles">
                  {t("media.provenance")}
                </Badge>
                <p className="muted">{item.source === "generation" ? t("media.provenanceGenerated", { generator: item.generator || "—" }) : t("media.provenanceUploaded")}</p>
              </div>
            )}
          </Card>
          <Card title={tp("media.variants", item.variants.length)} id="variants">
            <DataTable
              caption={tp("media.variants", item.variants.length)}
              rows={item.variants}
              rowKey={(v) => v.name}
              columns={[
                {
                  id: "name",
                  header: t("media.variantName"),
                  cell: (v) => (
                    <span className="variant-name">
                      {v.mime_type.startsWith("image/") && <img src={item.variants.find((x) => x.name === "thumbnail")?.url ?? v.url} alt="" className="variant-thumb" loading="lazy" />}
                      {t("media.variantLabel", { name: v.name })}
                    </span>
                  ),
                },
                { id: "dimensions", header: t("media.dimensions"), className: "nowrap", cell: (v) => (v.width && v.height ? `${number(v.width)} × ${number(v.height)}` : "—") },
                { id: "format", header: t("media.format"), cell: (v) => v.mime_type.replace(/^image\//, "").toUpperCase() },
                { id: "size", header: t("media.size"), className: "nowrap", cell: (v) => bytes(v.size_bytes) },
              ]}
              actions={{
                header: t("common.actions"),
                cell: (v) => (
                  <>
                    <a className="btn btn-ghost btn-sm" href={v.url} target="_blank" rel="noopener" aria-label={t("media.openVariant", { name: v.name })}>
                      {t("common.open")}
                    </a>
                    <Button size="sm" variant="ghost" onClick={() => setLinkFor(v.name)} aria-label={t("media.linkVariant", { name: v.name })}>
                      {t("media.link")}
                    </Button>
                  </>
                ),
              }}
            />
          </Card>
        </div>
        <div className="detail-side">
          <Card title={t("media.details")} id="details">
            <DescriptionList
              items={[
                [t("media.fileName"), <span className="break">{item.original_name}</span>],
                [t("media.kindLabel"), t(`media.kind.${item.kind}`)],
                [t("media.dimensions"), item.width && item.height ? `${number(item.width)} × ${number(item.height)}` : "—"],
                [t("media.size"), bytes(item.size_bytes)],
                [t("media.tags"), item.tags.length ? item.tags.join(", ") : "—"],
                [t("media.added"), dateTime(item.created_at_unix_ms)],
                [t("media.sha256"), <code className="break small">{item.sha256}</code>],
              ]}
            />
          </Card>
          {manage && <EditCard item={item} />}
        </div>
      </div>
      <ConfirmDialog open={confirmDelete} onClose={() => setConfirmDelete(false)} onConfirm={() => remove.mutate()} busy={remove.isPending} title={t("media.deleteTitle")} confirmLabel={t("common.delete")}>
        <p>{t("media.deleteExplain")}</p>
        {remove.error && <ErrorMessage error={remove.error} />}
      </ConfirmDialog>
      {linkFor && <LinkDialog item={item} variant={linkFor} onClose={() => setLinkFor(null)} />}
    </div>
  );
}

function EditCard({ item }: { item: MediaItem }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const personas = usePersonas();
  const categories = useCategories();
  const categoryLabel = useCategoryLabel();
  const [personaId, setPersonaId] = useState(item.persona_id ?? "");
  const [category, setCategory] = useState(item.category ?? "");
  const [rating, setRating] = useState<Rating>(item.rating);
  const [tags, setTags] = useState<string[]>(item.tags);
  const [description, setDescription] = useState(item.description);
  const save = useMutation({
    mutationFn: () => {
      const body: MediaUpdate = { persona_id: personaId || null, category: category || null, rating, tags, description };
      return api.patch<MediaItem>(`/api/v1/media/${encodeURIComponent(item.id)}`, body);
    },
    onSuccess: (updated) => {
      queryClient.setQueryData(keys.mediaItem(item.id), updated);
      void queryClient.invalidateQueries({ queryKey: ["media"] });
      toast.success(t("media.saved"));
    },
  });
  const fields = fieldErrorsUnder(save.error);
  return (
    <Card title={t("media.edit")} id="edit">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <Select label={t("media.persona")} value={personaId} onChange={(e) => setPersonaId(e.target.value)} options={[{ value: "", label: t("media.noPersona") }, ...(personas.data ?? []).map((p) => ({ value: p.id, label: p.display_name }))]} error={fields.get("persona_id")} />
        <Select label={t("media.category")} value={category} onChange={(e) => setCategory(e.target.value)} options={[{ value: "", label: t("media.noCategory") }, ...(categories.data ?? []).map((c) => ({ value: c.name, label: categoryLabel(c) }))]} error={fields.get("category")} />
        <Select label={t("media.rating")} value={rating} onChange={(e) => setRating(e.target.value as Rating)} options={RATINGS.map((r) => ({ value: r, label: t(`rating.${r}`) }))} />
        <ListInput label={t("media.tags")} value={tags} onChange={setTags} error={fields.get("tags")} />
        <TextArea label={t("media.description")} value={description} onChange={(e) => setDescription(e.target.value)} rows={3} error={fields.get("description")} />
        {save.error && <ErrorMessage error={save.error} />}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={save.isPending}>
            {t("common.save")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function LinkDialog({ item, variant, onClose }: { item: MediaItem; variant: string; onClose: () => void }) {
  const { t, dateTime } = useI18n();
  const [chosen, setChosen] = useState(variant);
  const [ttl, setTtl] = useState("3600");
  const create = useMutation({
    mutationFn: () => api.post<MediaLink>(`/api/v1/media/${encodeURIComponent(item.id)}/links`, { variant: chosen, ttl_seconds: Number(ttl) }),
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={t("media.signedLink")}
      description={t("media.signedLinkHelp")}
      onSubmit={() => create.mutate()}
      footer={
        <>
          <Button onClick={onClose}>{t("common.close")}</Button>
          <Button type="submit" variant="primary" busy={create.isPending}>
            {create.data ? t("media.newLink") : t("media.createLink")}
          </Button>
        </>
      }
    >
      <div className="form-grid">
        <Select label={t("media.variantName")} value={chosen} onChange={(e) => setChosen(e.target.value)} options={item.variants.map((v) => ({ value: v.name, label: t("media.variantLabel", { name: v.name }) }))} />
        <Select
          label={t("media.linkValidity")}
          value={ttl}
          onChange={(e) => setTtl(e.target.value)}
          options={[
            { value: "900", label: t("media.ttl.15m") },
            { value: "3600", label: t("media.ttl.1h") },
            { value: "86400", label: t("media.ttl.1d") },
            { value: "604800", label: t("media.ttl.7d") },
          ]}
        />
      </div>
      {create.data && (
        <div className="stack">
          <SecretField label={t("media.linkLabel")} value={new URL(create.data.url, window.location.origin).toString()} />
          <p className="muted">{t("media.linkExpires", { when: dateTime(create.data.expires_at_unix_s * 1000) })}</p>
        </div>
      )}
      {create.error && <ErrorMessage error={create.error} />}
    </Dialog>
  );
}
