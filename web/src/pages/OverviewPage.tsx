import { useMemo } from "react";
import { Link } from "react-router";
import { useCategories, useFolders, useMembers, usePersonas } from "../api/hooks";
import { useAuth, useMe } from "../auth";
import { BarChart } from "../components/BarChart";
import { ErrorMessage } from "../components/ErrorMessage";
import { Icon, type IconName } from "../components/Icon";
import { ButtonLink, Card, EmptyState, LoadingState, PageHeader } from "../components/ui";
import { useI18n } from "../i18n/I18nProvider";
import { useDocumentTitle } from "./useDocumentTitle";
import { useCategoryLabel } from "../lib/categories";

export function OverviewPage() {
  const { t, tp, number } = useI18n();
  const me = useMe();
  const { can } = useAuth();
  useDocumentTitle(t("overview.title"));
  const personas = usePersonas(can("personas.read"));
  const folders = useFolders(can("media.read"));
  const categories = useCategories(can("media.read"));
  const members = useMembers(can("members.list"));
  const categoryLabel = useCategoryLabel();

  const counts = useMemo(() => {
    const list = personas.data ?? [];
    return {
      active: list.filter((p) => p.status === "active").length,
      draft: list.filter((p) => p.status === "draft").length,
      inactive: list.filter((p) => p.status === "inactive").length,
    };
  }, [personas.data]);
  const mediaTotal = (folders.data ?? []).reduce((sum, f) => sum + f.count, 0);
  const byCategory = useMemo(() => {
    const totals = new Map<string, number>();
    for (const f of folders.data ?? []) {
      const key = f.category ?? "";
      totals.set(key, (totals.get(key) ?? 0) + f.count);
    }
    const label = (name: string) => (name ? categoryLabel(categories.data?.find((c) => c.name === name), name) : t("media.noCategory"));
    const rows = [...totals.entries()].sort((a, b) => b[1] - a[1]);
    return { labels: rows.map(([k]) => label(k)), values: rows.map(([, v]) => v) };
  }, [folders.data, categories.data, t, categoryLabel]);

  const greeting = me.display_name ? t("overview.greeting", { name: me.display_name.split(" ")[0] ?? me.display_name }) : t("overview.title");

  return (
    <div className="page">
      <PageHeader title={greeting} description={t("overview.subtitle", { tenant: me.tenant.name })} />
      <div className="stat-grid">
        <Stat icon="persona" label={t("overview.activePersonas")} value={personas.data ? number(counts.active) : "—"} sub={personas.data ? `${tp("overview.drafts", counts.draft)} · ${tp("overview.inactive", counts.inactive)}` : undefined} to="/personas" />
        <Stat icon="image" label={t("overview.vaultItems")} value={folders.data ? number(mediaTotal) : "—"} to="/media" />
        <Stat icon="team" label={t("overview.members")} value={members.data ? number(members.data.length) : "—"} to="/team" />
        <Stat icon="shield" label={t("overview.security")} value={me.tenant.require_mfa ? t("overview.mfaRequired") : t("overview.mfaOptional")} sub={me.totp_enabled ? t("overview.yourMfaOn") : t("overview.yourMfaOff")} to="/account" />
      </div>
      <div className="grid-2">
        <Card title={t("overview.byCategory")} id="by-category">
          {folders.isPending ? (
            <LoadingState />
          ) : folders.isError ? (
            <ErrorMessage error={folders.error} onRetry={() => void folders.refetch()} />
          ) : mediaTotal === 0 ? (
            <EmptyState icon="image" title={t("media.emptyTitle")} action={can("media.manage") ? <ButtonLink to="/media" icon="upload" variant="primary">{t("media.upload")}</ButtonLink> : undefined}>
              {t("overview.noMedia")}
            </EmptyState>
          ) : (
            <BarChart labels={byCategory.labels} values={byCategory.values} title={t("overview.byCategory")} valueLabel={t("overview.items")} />
          )}
        </Card>
        <Card title={t("overview.nextSteps")} id="next-steps">
          <ol className="checklist">
            <Step done={(personas.data?.length ?? 0) > 0} to="/personas/new" text={t("overview.stepPersona")} />
            <Step done={mediaTotal > 0} to="/media" text={t("overview.stepMedia")} />
            <Step done={counts.active > 0} to="/personas" text={t("overview.stepActivate")} />
            <Step done={(members.data?.length ?? 0) > 1} to="/team" text={t("overview.stepTeam")} />
            <Step done={me.totp_enabled} to="/account" text={t("overview.stepMfa")} />
          </ol>
        </Card>
      </div>
    </div>
  );
}

function Stat({ icon, label, value, sub, to }: { icon: IconName; label: string; value: string; sub?: string | undefined; to: string }) {
  return (
    <Link to={to} className="stat">
      <span className="stat-icon">
        <Icon name={icon} size={20} />
      </span>
      <span className="stat-text">
        <span className="stat-label">{label}</span>
        <span className="stat-value">{value}</span>
        {sub && <span className="stat-sub">{sub}</span>}
      </span>
    </Link>
  );
}

function Step({ done, to, text }: { done: boolean; to: string; text: string }) {
  const { t } = useI18n();
  return (
    <li className={done ? "done" : ""}>
      <span className="check-mark" aria-hidden="true">
        {done && <Icon name="check" size={14} />}
      </span>
      <Link to={to}>{text}</Link>
      <span className="visually-hidden">{done ? t("overview.stepDone") : t("overview.stepTodo")}</span>
    </li>
  );
}
