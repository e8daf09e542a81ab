import { useMemo, useState } from "react";
import { Link } from "react-router";
import { useCategories, useMediaPages, usePersonas } from "../../api/hooks";
import type { MediaListItem, MediaListQuery, Rating } from "../../api/types";
import { RATINGS } from "../../api/types";
import { useAuth } from "../../auth";
import { FilterBar, FilterText, useUrlFilters } from "../../components/FilterBar";
import { Icon } from "../../components/Icon";
import { PagedList } from "../../components/Lists";
import { Badge, Button, PageHeader } from "../../components/ui";
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
  const urlFilters = useUrlFilters();
  const params = urlFilters.params;
  const filters = useMemo(() => filtersFromParams(params), [params]);
  const pages = useMediaPages(filters);
  const personas = usePersonas();
  const categories = useCategories();
  const categoryLabel = useCategoryLabel();
  const [uploading, setUploading] = useState(false);
  const [managingCategories, setManagingCategories] = useState(false);
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
      <FilterBar
        label={t("media.filters")}
        filters={urlFilters}
        active={filtered}
        choices={[
          { name: "persona", label: t("media.persona"), all: t("media.allPersonas"), options: [{ value: "none", label: t("media.noPersona") }, ...(personas.data ?? []).map((p) => ({ value: p.id, label: p.display_name }))] },
          { name: "category", label: t("media.category"), all: t("media.allCategories"), options: (categories.data ?? []).map((c) => ({ value: c.name, label: categoryLabel(c) })) },
          { name: "rating", label: t("media.rating"), all: t("media.allRatings"), options: RATINGS.map((r) => ({ value: r, label: t(`rating.${r}`) })) },
          {
            name: "kind",
            label: t("media.kind"),
            all: t("media.allKinds"),
            options: [
              { value: "image", label: t("media.kind.image") },
              { value: "document", label: t("media.kind.document") },
            ],
          },
        ]}
      >
        <FilterText filters={urlFilters} name="tag" label={t("media.tag")} placeholder={t("media.tagPlaceholder")} />
      </FilterBar>
      <PagedList
        query={pages}
        filtered={filtered}
        onClear={urlFilters.clear}
        noMatch={{ title: t("media.noMatchTitle"), text: t("media.noMatchText") }}
        empty={{
          icon: "image",
          title: t("media.emptyTitle"),
          text: manage ? t("media.emptyText") : t("media.emptyTextReadOnly"),
          action: manage && (
            <Button variant="primary" icon="upload" onClick={() => setUploading(true)}>
              {t("media.upload")}
            </Button>
          ),
        }}
        count={(n, more) => (more ? tp("media.shownMore", n) : tp("media.shown", n))}
      >
        {(items) => (
          <ul className="media-grid" aria-label={t("media.items")}>
            {items.map((item) => (
              <MediaTile key={item.id} item={item} personaName={personas.data?.find((p) => p.id === item.persona_id)?.display_name} categoryLabel={item.category ? categoryLabel(categories.data?.find((c) => c.name === item.category), item.category) : undefined} />
            ))}
          </ul>
        )}
      </PagedList>
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
