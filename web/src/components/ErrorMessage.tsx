import { useI18n } from "../i18n/I18nProvider";
import { explainError, type Explained } from "../lib/errors";
import { ApiError } from "../api/client";
import { Icon } from "./Icon";
import { Button } from "./ui";
import { useFieldMessage } from "./form";

export function useExplain() {
  const { t } = useI18n();
  return (error: unknown): { message: string; detail?: string; requestId?: string } => {
    const explained: Explained = explainError(error);
    const out: { message: string; detail?: string; requestId?: string } = { message: t(explained.key, explained.params) };
    if (explained.detail) out.detail = "text" in explained.detail ? explained.detail.text : t(explained.detail.key, explained.detail.params);
    if (explained.requestId) out.requestId = explained.requestId;
    return out;
  };
}

/**
 * An API error in plain words, with the server's reason, the fields it names (when `showFields`)
 * and the request id to give to support.
 */
export function ErrorMessage({ error, onRetry, showFields = false, compact = false }: { error: unknown; onRetry?: () => void; showFields?: boolean; compact?: boolean }) {
  const { t } = useI18n();
  const explain = useExplain();
  const fieldMessage = useFieldMessage();
  if (!error) return null;
  const { message, detail, requestId } = explain(error);
  const fields = showFields && error instanceof ApiError ? error.fieldErrors : [];
  return (
    <div className={`callout callout-danger ${compact ? "callout-compact" : ""}`} role="alert">
      <Icon name="warning" size={20} className="callout-icon" />
      <div className="callout-body">
        <p className="callout-title">{message}</p>
        {detail && <p className="callout-text">{detail}</p>}
        {fields.length > 0 && (
          <ul className="callout-list">
            {fields.map((f) => (
              <li key={f.field}>
                <code>{f.field}</code> — {fieldMessage(f.message)}
              </li>
            ))}
          </ul>
        )}
        {requestId && <p className="callout-meta">{t("errors.requestId", { id: requestId })}</p>}
        {onRetry && (
          <div className="callout-actions">
            <Button size="sm" onClick={onRetry}>
              {t("common.retry")}
            </Button>
          </div>
        )}
      </div>
    </div>
  );
}
