import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useCategories, useMediaPages, usePersonas } from "../../api/hooks";
import type { MediaListItem, MediaListQuery, Rating } from "../../api/types";
import { RATINGS } from "../../api/types";
import { useAuth } from "../../auth";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Select, TextInput } from "../../components/form";
import { Icon } from "../../components/Icon";
import { Badge, Button, EmptyState, LoadingState, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { useDocumentTitle } from "../useDocumentTitle";
import { useCategoryLabel } from "../../lib/categories";
import { CategoriesDialog } from "./CategoriesDialog";
import { UploadDialog } from "./UploadDialog";

const RATING_TONE = { sfw: "success", suggestive: "warning", explicit: "danger" } as const;

export function RatingBadge({ rating }: { rating: Rating }) {
  const { t } = useI18n();
  return <Badge tone={RATING_TONE[rating]}>{t(`rating.${rating}`)}</Badge>;
}

/** The filters live in the address (?persona=...&rating=...): a filtered view can be shared. */
export function filtersFromParams(params: URLSearchParams): MediaListQuery {
  const out: MediaListQuery = {};
  const persona = params.get("persona");
  if (persona === "none") out.unassigned = true;
  else if (persona) out.persona_id = persona;
  const category = params.get("category");
  if (category) out.category = category;
  const rating = params.get("rating");
  if (rating === "sfw" || rating === "suggestive" || rating === "explicit") out.rating = rating;
  const tag = params.get("tag");
  if (tag) out.tag = tag;
  const kind = params.get("kind");
  if (kind === "image" || kind === "document") out.kind = kind;
  return out;
}

export function MediaVaultPage() {
  const { t, tp } = useI18n();
  useDocumentTitle(t("media.title"));
  const { can } = useAuth();
  const [params, setParams] = useSearchParams();
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const pages = useMediaPages(filters);
  const personas = usePersonas();
  const categories = useCategories();
  const categoryLabel = useCategoryLabel();
  const [uploading, setUploading] = useState(false);
  const [managingCategories, setManagingCategories] = useState(false);
  const [tagDraft, setTagDraft] = useState(params.get("tag") ?? "");
  useEffect(() => setTagDraft(params.get("tag") ?? ""), [params]);

  const setFilter = (name: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  };
  const items = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const filtered = params.toString() !== "";
  const manage = can("media.manage");

  return (
    <div className="page">
      <PageHeader
        title={t("media.title")}
        description={t("media.subtitle")}
        actions={
          manage && (
            <>
              <Button onClick={() => setManagingCategories(true)}>{t("categories.manage")}</Button>
              <Button variant="primary" icon="upload" onClick={() => setUploading(true)}>
                {t("media.upload")}
              </Button>
            </>
          )
        }
      />
      <form
        className="filters"
        role="search"
        aria-label={t("media.filters")}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter("tag", tagDraft.trim());
        }}
      >
        <Select
          label={t("media.persona")}
          value={params.get("persona") ?? ""}
          onChange={(e) => setFilter("persona", e.target.value)}
          options={[{ value: "", label: t("media.allPersonas") }, { value: "none", label: t("media.noPersona") }, ...(personas.data ?? []).map((p) => ({ value: p.id, label: p.display_name }))]}
        />
        <Select label={t("media.category")} value={params.get("category") ?? ""} onChange={(e) => setFilter("category", e.target.value)} options={[{ value: "", label: t("media.allCategories") }, ...(categories.data ?? []).map((c) => ({ value: c.name, label: categoryLabel(c) }))]} />
        <Select label={t("media.rating")} value={params.get("rating") ?? ""} onChange={(e) => setFilter("rating", e.target.value)} options={[{ value: "", label: t("media.allRatings") }, ...RATINGS.map((r) => ({ value: r, label: t(`rating.${r}`) }))]} />
        <Select
          label={t("media.kind")}
          value={params.get("kind") ?? ""}
          onChange={(e) => setFilter("kind", e.target.value)}
          options={[
            { value: "", label: t("media.allKinds") },
            { value: "image", label: t("media.kind.image") },
            { value: "document", label: t("media.kind.document") },
          ]}
        />
        <TextInput label={t("media.tag")} value={tagDraft} placeholder={t("media.tagPlaceholder")} onChange={(e) => setTagDraft(e.target.value)} onBlur={() => setFilter("tag", tagDraft.trim())} />
        {filtered && (
          <div className="filters-reset">
            <Button variant="ghost" onClick={() => setParams(new URLSearchParams(), { replace: true })}>
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
          <EmptyState icon="filter" title={t("media.noMatchTitle")} action={<Button onClick={() => setParams(new URLSearchParams(), { replace: true })}>{t("media.clearFilters")}</Button>}>
            {t("media.noMatchText")}
          </EmptyState>
        ) : (
          <EmptyState
            icon="image"
            title={t("media.emptyTitle")}
            action={
              manage && (
                <Button variant="primary" icon="upload" onClick={() => setUploading(true)}>
                  {t("media.upload")}
                </Button>
              )
            }
          >
            {manage ? t("media.emptyText") : t("media.emptyTextReadOnly")}
          </EmptyState>
        )
      ) : (
        <>
          <p className="result-count" aria-live="polite">
            {pages.hasNextPage ? tp("media.shownMore", items.length) : tp("media.shown", items.length)}
          </p>
          <ul className="media-grid" aria-label={t("media.items")}>
            {items.map((item) => (
              <MediaTile key={item.id} item={item} personaName={personas.data?.find((p) => p.id === item.persona_id)?.display_name} categoryLabel={item.category ? categoryLabel(categories.data?.find((c) => c.name === item.category), item.category) : undefined} />
            ))}
          </ul>
          {pages.hasNextPage && (
            <div className="load-more">
              <Button onClick={() => void pages.fetchNextPage()} busy={pages.isFetchingNextPage}>
                {t("media.loadMore")}
              </Button>
            </div>
          )}
        </>
      )}
      {uploading && <UploadDialog onClose={() => setUploading(false)} defaultPersona={filters.persona_id} />}
      {managingCategories && <CategoriesDialog onClose={() => setManagingCategories(false)} />}
    </div>
  );
}

function MediaTile({ item, personaName, categoryLabel }: { item: MediaListItem; personaName: string | undefined; categoryLabel: string | undefined }) {
  const { t } = useI18n();
  const thumb = item.variants.find((v) => v.name === "thumbnail");
  const name = item.description || item.original_name;
  return (
    <li className="media-tile">
      <Link to={`/media/${encodeURIComponent(item.id)}`} className="media-tile-link">
        <span className="media-thumb">
          {item.kind === "image" && thumb ? (
            <img src={thumb.url} alt="" loading="lazy" width={thumb.width} height={thumb.height} />
          ) : (
            <span className="media-doc">
              <Icon name="file" size={32} />
              <span>PDF</span>
            </span>
          )}
        </span>
        <span className="media-tile-body">
          <span className="media-tile-name">{name}</span>
          <span className="media-tile-meta">
            {personaName ?? t("media.noPersona")}
            {categoryLabel ? ` · ${categoryLabel}` : ""}
          </span>
        </span>
      </Link>
      <span className="media-tile-badges">
        <RatingBadge rating={item.rating} />
        {item.kind === "image" && (
          <Badge tone="info" icon="sparkles">
            {t("media.aiShort")}
          </Badge>
        )}
      </span>
    </li>
  );
}
