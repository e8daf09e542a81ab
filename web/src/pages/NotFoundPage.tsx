import { EmptyState, ButtonLink } from "../components/ui";
import { useI18n } from "../i18n/I18nProvider";
import { useDocumentTitle } from "./useDocumentTitle";

export function NotFoundPage() {
  const { t } = useI18n();
  useDocumentTitle(t("notFound.title"));
  return (
    <div className="page">
      <h1 className="visually-hidden">{t("notFound.title")}</h1>
      <EmptyState icon="info" title={t("notFound.title")} action={<ButtonLink to="/" variant="primary">{t("notFound.home")}</ButtonLink>}>
        {t("notFound.text")}
      </EmptyState>
    </div>
  );
}
