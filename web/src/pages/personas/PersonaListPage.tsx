import { useState } from "react";
import { Link } from "react-router";
import { usePersonas } from "../../api/hooks";
import type { Persona } from "../../api/types";
import { useAuth } from "../../auth";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Button, ButtonLink, EmptyState, LoadingState, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { useDocumentTitle } from "../useDocumentTitle";
import {
  ActivateDialog,
  blocksActivation,
  ConsentDialog,
  DeactivateDialog,
  ImportCardDialog,
  KindBadge,
  PersonaAvatar,
  personaBlocker,
  StatusBadge,
  useBlockerText,
} from "./shared";
import { Icon } from "../../components/Icon";

export function PersonaListPage() {
  const { t } = useI18n();
  useDocumentTitle(t("personas.title"));
  const { can } = useAuth();
  const personas = usePersonas();
  const [importing, setImporting] = useState(false);
  const [activating, setActivating] = useState<Persona | null>(null);
  const [deactivating, setDeactivating] = useState<Persona | null>(null);
  const [consentFor, setConsentFor] = useState<Persona | null>(null);
  const manage = can("personas.manage");

  const actions = manage ? (
    <>
      <Button icon="upload" onClick={() => setImporting(true)}>
        {t("personas.import")}
      </Button>
      <ButtonLink to="/personas/new" variant="primary" icon="plus">
        {t("personas.new")}
      </ButtonLink>
    </>
  ) : undefined;

  return (
    <div className="page">
      <PageHeader title={t("personas.title")} description={t("personas.subtitle")} actions={actions} />
      {!manage && <p className="muted-note">{t("personas.readOnly")}</p>}
      {personas.isPending ? (
        <LoadingState />
      ) : personas.isError ? (
        <ErrorMessage error={personas.error} onRetry={() => void personas.refetch()} />
      ) : personas.data.length === 0 ? (
        <EmptyState icon="persona" title={t("personas.emptyTitle")} action={actions}>
          {manage ? t("personas.emptyText") : t("personas.emptyTextReadOnly")}
        </EmptyState>
      ) : (
        <ul className="persona-grid" aria-label={t("personas.title")}>
          {personas.data.map((persona) => (
            <PersonaCard
              key={persona.id}
              persona={persona}
              onActivate={can("personas.activate") ? () => setActivating(persona) : undefined}
              onDeactivate={can("personas.activate") ? () => setDeactivating(persona) : undefined}
            />
          ))}
        </ul>
      )}
      {importing && <ImportCardDialog onClose={() => setImporting(false)} />}
      {activating && (
        <ActivateDialog
          persona={activating}
          onClose={() => setActivating(null)}
          onRecordConsent={() => {
            setConsentFor(activating);
            setActivating(null);
          }}
        />
      )}
      {deactivating && <DeactivateDialog persona={deactivating} onClose={() => setDeactivating(null)} />}
      {consentFor && <ConsentDialog persona={consentFor} onClose={() => setConsentFor(null)} />}
    </div>
  );
}

function PersonaCard({ persona, onActivate, onDeactivate }: { persona: Persona; onActivate: (() => void) | undefined; onDeactivate: (() => void) | undefined }) {
  const { t, relative } = useI18n();
  const blockerText = useBlockerText();
  const blocker = personaBlocker(persona);
  const hardBlocked = blocksActivation(blocker);
  return (
    <li className="persona-card">
      <div className="persona-card-head">
        <PersonaAvatar persona={persona} />
        <div className="persona-card-title">
          <h2>
            <Link to={`/personas/${encodeURIComponent(persona.id)}`} className="stretched-link">
              {persona.display_name}
            </Link>
          </h2>
          <div className="badge-row">
            <StatusBadge status={persona.status} />
            <KindBadge kind={persona.kind} />
          </div>
        </div>
      </div>
      {persona.bio && <p className="persona-bio">{persona.bio}</p>}
      <p className="persona-meta">
        {persona.languages.join(" · ").toUpperCase()} · {persona.timezone} · {t("common.updated", { when: relative(persona.updated_at_unix_ms) })}
      </p>
      {persona.status !== "active" && blocker && hardBlocked && (
        <p className="persona-blocker">
          <Icon name="warning" size={16} />
          <span>{blockerText(blocker)}</span>
        </p>
      )}
      {(onActivate || onDeactivate) && (
        <div className="persona-card-actions">
          {persona.status === "active"
            ? onDeactivate && (
                <Button size="sm" onClick={onDeactivate} aria-label={t("deactivate.actionFor", { name: persona.display_name })}>
                  {t("deactivate.action")}
                </Button>
              )
            : onActivate && (
                <Button size="sm" variant={hardBlocked ? "secondary" : "primary"} onClick={onActivate} aria-label={t("activate.actionFor", { name: persona.display_name })}>
                  {hardBlocked ? t("activate.why") : t("activate.action")}
                </Button>
              )}
        </div>
      )}
    </li>
  );
}
