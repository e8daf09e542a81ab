import type { ReactNode } from "react";
import { useI18n } from "../i18n/I18nProvider";
import { ErrorMessage } from "./ErrorMessage";
import type { IconName } from "./Icon";
import { Button, EmptyState, LoadingState } from "./ui";

/** What QueryList reads of a query for a whole list (useJobQueues, useInvitations, ...). */
export interface ListQuery<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
  data: readonly T[] | undefined;
}

/** What a list says when it has nothing to show. */
export interface Emptiness {
  icon: IconName;
  title: string;
  text: string;
  action?: ReactNode;
}

function Empty({ empty }: { empty: Emptiness }) {
  return (
    <EmptyState icon={empty.icon} title={empty.title} action={empty.action}>
      {empty.text}
    </EmptyState>
  );
}

/** A list read at once: loading, the error with "Try again", `empty` when there is nothing, else the items. */
export function QueryList<T>({ query, empty, loading, children }: { query: ListQuery<T>; empty?: Emptiness; loading?: string; children: (items: readonly T[]) => ReactNode }) {
  if (query.isPending) return <LoadingState label={loading} />;
  if (query.isError) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  const items = query.data ?? [];
  if (items.length === 0 && empty) return <Empty empty={empty} />;
  return <>{children(items)}</>;
}

/** What PagedList reads of an infinite query (useJobPages, useCaptionPages, useMediaPages). */
export interface PagedQuery<T> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  refetch: () => unknown;
  data: { pages: readonly { items: readonly T[] }[] } | undefined;
  hasNextPage: boolean;
  fetchNextPage: () => unknown;
  isFetchingNextPage: boolean;
}

export function pagedItems<T>(query: PagedQuery<T>): T[] {
  return query.data?.pages.flatMap((p) => p.items) ?? [];
}

/**
 * The body of a filtered, paged list: loading, the error with "Try again", "nothing matches"
 * (with "Clear the filters") or the empty state, else how many are shown, the items
 * (`children`) and "Load more".
 */
export function PagedList<T>({
  query,
  filtered,
  onClear,
  noMatch,
  empty,
  count,
  children,
}: {
  query: PagedQuery<T>;
  filtered: boolean;
  onClear: () => void;
  noMatch: { title: string; text: string };
  empty: Emptiness;
  /** "3 jobs" or "the first 50 jobs" (`more`: there are more to load). */
  count: (shown: number, more: boolean) => string;
  children: (items: T[]) => ReactNode;
}) {
  const { t } = useI18n();
  const items = pagedItems(query);
  if (query.isPending) return <LoadingState />;
  if (query.isError) return <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />;
  if (items.length === 0) {
    return <Empty empty={filtered ? { icon: "filter", ...noMatch, action: <Button onClick={onClear}>{t("media.clearFilters")}</Button> } : empty} />;
  }
  return (
    <>
      <p className="result-count" aria-live="polite">
        {count(items.length, query.hasNextPage)}
      </p>
      {children(items)}
      {query.hasNextPage && (
        <div className="load-more">
          <Button onClick={() => void query.fetchNextPage()} busy={query.isFetchingNextPage}>
            {t("media.loadMore")}
          </Button>
        </div>
      )}
    </>
  );
}
