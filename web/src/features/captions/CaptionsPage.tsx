// Captions: order one (persona, a vault item or a free brief, a platform), follow its generation
// job, see the text with the safety decision and why, edit it (the server checks every edit
// again), approve it; and the list of captions with filters.
//
// The caption shown in the panel is in the address (?caption=ID), so that it can be shared and
// survives a reload. Model output is shown as text only (React escapes it); never as HTML.
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useCaptionPages, useImages, usePersonas } from "../../api/hooks";
import type { Caption, CaptionListQuery, CaptionOrder, CaptionStatus, Persona, Platform } from "../../api/types";
import { CAPTION_PLATFORMS, CAPTION_STATUSES } from "../../api/types";
import { useAuth } from "../../auth";
import { DataTable, type Column } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { FilterBar, useUrlFilters } from "../../components/FilterBar";
import { Select, TextArea } from "../../components/form";
import { Icon } from "../../components/Icon";
import { PagedList, pagedItems } from "../../components/Lists";
import { useToast } from "../../components/Toasts";
import { Button, ButtonLink, Card, EmptyState, LoadingState, PageHeader, RelativeTime } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { snippet } from "../../lib/captions";
import { fieldErrorsUnder } from "../../lib/errors";
import { useDocumentTitle } from "../../pages/useDocumentTitle";
import { CaptionPanel, CaptionStatusBadge } from "./CaptionPanel";

export function CaptionsPage() {
  const { t } = useI18n();
  useDocumentTitle(t("captions.title"));
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const selected = params.get("caption");
  const write = can("captions.write");

  const select = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set("caption", id);
    else next.delete("caption");
    setParams(next);
    // The caption opens above the list, and below the form on a phone: bring it into view.
    if (id) window.requestAnimationFrame(() => document.getElementById("caption-panel")?.scrollIntoView({ block: "nearest" }));
  };

  return (
    <div className="page">
      <PageHeader title={t("captions.title")} description={t("captions.subtitle")} />
      {(write || selected) && (
        <div className={`caption-layout ${write ? "" : "caption-layout-single"}`}>
          {write && <GenerateCard onOrdered={(caption) => select(caption.id)} />}
          {selected ? (
            <CaptionPanel id={selected} onClose={() => select(null)} />
          ) : (
            <Card className="caption-placeholder">
              <EmptyState icon="sparkles" title={t("captions.placeholderTitle")}>
                {t("captions.placeholderText")}
              </EmptyState>
            </Card>
          )}
        </div>
      )}
      <CaptionListCard selected={selected} onSelect={select} />
    </div>
  );
}

type Source = "media" | "brief";

function GenerateCard({ onOrdered }: { onOrdered: (caption: Caption) => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const toast = useToast();
  const personas = usePersonas();
  const [personaId, setPersonaId] = useState("");
  const [source, setSource] = useState<Source>("media");
  const [mediaId, setMediaId] = useState("");
  const [brief, setBrief] = useState("");
  const [platform, setPlatform] = useState<Platform>("instagram");
  const images = useImages(personaId || undefined, !!personaId);
  const active = (personas.data ?? []).filter((p) => p.status === "active");

  // The first active persona is chosen for a start.
  useEffect(() => {
    if (!personaId && active[0]) setPersonaId(active[0].id);
  }, [personaId, active]);
  // A persona without images starts from a brief; another persona's image is never kept.
  const imageItems = images.data?.items ?? [];
  useEffect(() => {
    if (!images.data) return;
    if (!imageItems.some((i) => i.id === mediaId)) setMediaId(imageItems[0]?.id ?? "");
    if (imageItems.length === 0) setSource("brief");
  }, [images.data]); // when the images arrive, not on every render

  const order = useMutation({
    mutationFn: (body: CaptionOrder) => api.post<Caption>("/api/v1/captions", body),
    onSuccess: (caption) => {
      queryClient.setQueryData(keys.caption(caption.id), { caption, etag: null });
      void queryClient.invalidateQueries({ queryKey: keys.captions });
      toast.info(t("captions.ordered"));
      onOrdered(caption);
    },
  });
  const fields = fieldErrorsUnder(order.error);

  if (personas.isPending) {
    return (
      <Card title={t("captions.new")} id="caption-new">
        <LoadingState />
      </Card>
    );
  }
  if (personas.isError) {
    return (
      <Card title={t("captions.new")} id="caption-new">
        <ErrorMessage error={personas.error} onRetry={() => void personas.refetch()} />
      </Card>
    );
  }
  if (active.length === 0) {
    return (
      <Card title={t("captions.new")} id="caption-new">
        <EmptyState icon="persona" title={t("captions.noActiveTitle")} action={<ButtonLink to="/personas">{t("captions.toPersonas")}</ButtonLink>}>
          {t("captions.noActiveText")}
        </EmptyState>
      </Card>
    );
  }

  const selectedImage = imageItems.find((i) => i.id === mediaId);
  const thumb = selectedImage?.variants.find((v) => v.name === "thumbnail");
  const briefMissing = source === "brief" && !brief.trim();
  const submit = () => {
    const body: CaptionOrder = { persona_id: personaId, platform, template_only: false };
    if (source === "media" && mediaId) body.media_id = mediaId;
    if (brief.trim()) body.brief = brief.trim();
    order.mutate(body);
  };

  return (
    <Card title={t("captions.new")} description={t("captions.newHelp")} id="caption-new">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        noValidate
      >
        <Select
          label={t("captions.persona")}
          value={personaId}
          onChange={(e) => setPersonaId(e.target.value)}
          error={fields.get("persona_id")}
          required
          options={(personas.data ?? []).map((p: Persona) => ({
            value: p.id,
            label: p.status === "active" ? p.display_name : t("captions.personaNotActive", { name: p.display_name }),
            disabled: p.status !== "active",
          }))}
        />
        <fieldset className="plain-fieldset">
          <legend className="field-label">{t("captions.content")}</legend>
          <div className="radio-cards radio-cards-compact">
            {(["media", "brief"] as const).map((value) => (
              <label key={value} className={`radio-card ${source === value ? "is-checked" : ""}`}>
                <input type="radio" name="caption-source" value={value} checked={source === value} onChange={() => setSource(value)} />
                <span className="radio-card-title">{t(value === "media" ? "captions.fromVault" : "captions.fromBrief")}</span>
                <span className="radio-card-text">{t(value === "media" ? "captions.fromVaultHelp" : "captions.fromBriefHelp")}</span>
              </label>
            ))}
          </div>
        </fieldset>
        {source === "media" &&
          (images.isPending ? (
            <LoadingState />
          ) : imageItems.length === 0 ? (
            <p className="muted-note">
              {t("captions.noImages")} <Link to={`/media?persona=${encodeURIComponent(personaId)}`}>{t("captions.toVault")}</Link>
            </p>
          ) : (
            <div className="media-pick">
              <span className="media-pick-thumb" aria-hidden="true">
                {thumb ? <img src={thumb.url} alt="" width={thumb.width} height={thumb.height} /> : <Icon name="image" size={24} />}
              </span>
              <Select
                label={t("captions.vaultItem")}
                value={mediaId}
                onChange={(e) => setMediaId(e.target.value)}
                error={fields.get("media_id")}
                options={imageItems.map((i) => ({ value: i.id, label: `${i.description || i.original_name} · ${t(`rating.${i.rating}`)}` }))}
              />
            </div>
          ))}
        <TextArea
          label={source === "brief" ? t("captions.brief") : t("captions.notes")}
          hint={source === "brief" ? t("captions.briefHint") : t("captions.notesHint")}
          value={brief}
          onChange={(e) => setBrief(e.target.value)}
          error={fields.get("brief") ?? (source === "brief" ? fields.get("media_id") : undefined)}
          required={source === "brief"}
          maxLength={2000}
          rows={3}
        />
        <fieldset className="plain-fieldset">
          <legend className="field-label">{t("captions.platform")}</legend>
          <div className="segmented" role="radiogroup" aria-label={t("captions.platform")}>
            {CAPTION_PLATFORMS.map((p) => (
              <label key={p} className={`segment ${platform === p ? "is-checked" : ""}`}>
                <input type="radio" name="caption-platform" value={p} checked={platform === p} onChange={() => setPlatform(p)} />
                <span>{t(`platform.${p}`)}</span>
              </label>
            ))}
          </div>
          {fields.get("platform") && <p className="field-error">{fields.get("platform")}</p>}
        </fieldset>
        {order.error && <ErrorMessage error={order.error} />}
        <div className="form-actions">
          <Button type="submit" variant="primary" icon="sparkles" busy={order.isPending} disabled={!personaId || briefMissing || (source === "media" && !mediaId)}>
            {t("captions.generate")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function filtersFromParams(params: URLSearchParams): CaptionListQuery {
  const out: CaptionListQuery = {};
  const persona = params.get("persona");
  if (persona) out.persona_id = persona;
  const platform = params.get("platform");
  if (platform && (CAPTION_PLATFORMS as readonly string[]).includes(platform)) out.platform = platform as Platform;
  const status = params.get("status");
  if (status && (CAPTION_STATUSES as readonly string[]).includes(status)) out.status = status as CaptionStatus;
  return out;
}

function CaptionListCard({ selected, onSelect }: { selected: string | null; onSelect: (id: string) => void }) {
  const { t, tp } = useI18n();
  const { can } = useAuth();
  const filters = useUrlFilters(["caption"]);
  const params = filters.params;
  const query = useMemo(() => filtersFromParams(params), [params]);
  const pages = useCaptionPages(query);
  const personas = usePersonas();
  const filtered = Object.keys(query).length > 0;
  const pending = pagedItems(pages).some((c) => c.status === "queued");
  const queryClient = useQueryClient();

  // While a caption is being written, the list follows it too.
  useEffect(() => {
    if (!pending) return undefined;
    const timer = window.setInterval(() => void queryClient.invalidateQueries({ queryKey: ["captions", "list"] }), 3000);
    return () => window.clearInterval(timer);
  }, [pending, queryClient]);

  const personaName = (id: string) => personas.data?.find((p) => p.id === id)?.display_name ?? t("captions.unknownPersona");
  const columns: Column<Caption>[] = [
    {
      id: "caption",
      header: t("captions.caption"),
      cell: (c) => (
        <>
          <Link
            to={`?${withCaption(params, c.id)}`}
            className="cell-title caption-snippet"
            onClick={(e) => {
              e.preventDefault();
              onSelect(c.id);
            }}
          >
            {snippet(c) || t("captions.beingWritten")}
          </Link>
          {c.title && <span className="cell-sub">{c.title}</span>}
        </>
      ),
    },
    { id: "persona", header: t("captions.persona"), cell: (c) => personaName(c.persona_id) },
    { id: "platform", header: t("captions.platform"), cell: (c) => t(`platform.${c.platform}`) },
    { id: "status", header: t("captions.status"), cell: (c) => <CaptionStatusBadge status={c.status} /> },
    { id: "created", header: t("captions.created"), className: "nowrap", cell: (c) => <RelativeTime ms={c.created_at} /> },
  ];

  return (
    <Card title={t("captions.list")} id="caption-list">
      <FilterBar
        label={t("captions.filters")}
        filters={filters}
        active={filtered}
        choices={[
          { name: "persona", label: t("captions.persona"), all: t("captions.allPersonas"), options: (personas.data ?? []).map((p) => ({ value: p.id, label: p.display_name })) },
          { name: "platform", label: t("captions.platform"), all: t("captions.allPlatforms"), options: CAPTION_PLATFORMS.map((p) => ({ value: p, label: t(`platform.${p}`) })) },
          { name: "status", label: t("captions.status"), all: t("captions.allStatuses"), options: CAPTION_STATUSES.map((s) => ({ value: s, label: t(`captionStatus.${s}`) })) },
        ]}
      />
      <PagedList
        query={pages}
        filtered={filtered}
        onClear={filters.clear}
        noMatch={{ title: t("captions.noMatchTitle"), text: t("captions.noMatchText") }}
        empty={{ icon: "captions", title: t("captions.emptyTitle"), text: can("captions.write") ? t("captions.emptyText") : t("captions.emptyTextReadOnly") }}
        count={(n, more) => (more ? tp("captions.shownMore", n) : tp("captions.shown", n))}
      >
        {(items) => (
          <DataTable
            caption={t("captions.list")}
            className="caption-table"
            columns={columns}
            rows={items}
            rowKey={(c) => c.id}
            rowProps={(c) => (c.id === selected ? { className: "is-selected", "aria-current": "true" } : {})}
          />
        )}
      </PagedList>
    </Card>
  );
}

function withCaption(params: URLSearchParams, id: string): string {
  const next = new URLSearchParams(params);
  next.set("caption", id);
  return next.toString();
}
