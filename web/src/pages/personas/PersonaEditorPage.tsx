import { useEffect, useMemo, useState } from "react";
import { useNavigate, useParams } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "../../api/client";
import { keys, usePersona } from "../../api/hooks";
import type { Persona } from "../../api/types";
import { useAuth } from "../../auth";
import { ConfirmDialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Tabs } from "../../components/Tabs";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, LoadingState, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { useDocumentTitle } from "../useDocumentTitle";
import { changedFields, draftOf, tabOfField, type EditorTab, type PersonaDraft } from "./draft";
import { CharacterSection, LlmSection, ProfileSection, PublishingSection, ReviewSection, VisualSection, VoiceSection } from "./sections";
import { ActivateDialog, blocksActivation, ConsentDialog, DeactivateDialog, KindBadge, personaBlocker, StatusBadge, useBlockerText } from "./shared";
import { ExportMenu } from "./ExportMenu";

export function PersonaEditorPage() {
  const { id = "" } = useParams();
  const { t } = useI18n();
  const query = usePersona(id);
  useDocumentTitle(query.data?.persona.display_name ?? t("personas.title"));
  if (query.isPending) return <LoadingState />;
  if (query.isError)
    return (
      <div className="page">
        <PageHeader title={t("personas.title")} back={{ to: "/personas", label: t("personas.title") }} />
        <ErrorMessage error={query.error} onRetry={() => void query.refetch()} />
      </div>
    );
  return <Editor key={`${query.data.persona.id}:${query.data.persona.revision}`} persona={query.data.persona} etag={query.data.etag} />;
}

function Editor({ persona, etag }: { persona: Persona; etag: string | null }) {
  const { t, tp, relative } = useI18n();
  const { can } = useAuth();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const blockerText = useBlockerText();
  const initial = useMemo(() => draftOf(persona), [persona]);
  const [draft, setDraft] = useState<PersonaDraft>(initial);
  const [tab, setTab] = useState<EditorTab>("profile");
  const [dialog, setDialog] = useState<"activate" | "deactivate" | "consent" | "delete" | null>(null);
  const manage = can("personas.manage");
  const activate = can("personas.activate");
  const changes = changedFields(initial, draft);
  const dirty = Object.keys(changes).length > 0;

  // Leaving with unsaved changes asks first.
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener("beforeunload", onBeforeUnload);
    return () => window.removeEventListener("beforeunload", onBeforeUnload);
  }, [dirty]);

  const save = useMutation({
    mutationFn: async () => {
      const response = await api.send<Persona>("PATCH", `/api/v1/personas/${encodeURIComponent(persona.id)}`, {
        json: changes,
        headers: etag ? { "If-Match": etag } : {},
      });
      return { persona: response.data, etag: response.headers.get("ETag") };
    },
    onSuccess: (result) => {
      queryClient.setQueryData(keys.persona(persona.id), result);
      void queryClient.invalidateQueries({ queryKey: keys.personas });
      toast.success(t("editor.saved"));
    },
  });
  const remove = useMutation({
    mutationFn: () => api.delete(`/api/v1/personas/${encodeURIComponent(persona.id)}`),
    onSuccess: () => {
      queryClient.removeQueries({ queryKey: keys.persona(persona.id) });
      void queryClient.invalidateQueries({ queryKey: keys.personas });
      toast.success(t("editor.deleted", { name: persona.display_name }));
      navigate("/personas", { replace: true });
    },
  });

  const error = save.error;
  const errorsByTab = useMemo(() => {
    const counts = new Map<EditorTab, number>();
    if (error instanceof ApiError) for (const f of error.fieldErrors) counts.set(tabOfField(f.field), (counts.get(tabOfField(f.field)) ?? 0) + 1);
    return counts;
  }, [error]);
  const stale = error instanceof ApiError && error.status === 412;
  const blocker = personaBlocker(persona);

  const tabs: { id: EditorTab; label: string }[] = [
    { id: "profile", label: t("editor.tab.profile") },
    { id: "voice", label: t("editor.tab.voice") },
    { id: "publishing", label: t("editor.tab.publishing") },
    { id: "review", label: t("editor.tab.review") },
    { id: "visual", label: t("editor.tab.visual") },
    { id: "llm", label: t("editor.tab.llm") },
    { id: "character", label: t("editor.tab.character") },
  ];
  const section = (() => {
    const props = { draft, setDraft, persona, error, readOnly: !manage };
    switch (tab) {
      case "profile":
        return <ProfileSection {...props} />;
      case "voice":
        return <VoiceSection {...props} />;
      case "publishing":
        return <PublishingSection {...props} />;
      case "review":
        return <ReviewSection {...props} onRecordConsent={activate ? () => setDialog("consent") : undefined} />;
      case "visual":
        return <VisualSection {...props} />;
      case "llm":
        return <LlmSection {...props} />;
      case "character":
        return <CharacterSection {...props} />;
    }
  })();

  return (
    <div className="page">
      <PageHeader
        title={persona.display_name}
        back={{ to: "/personas", label: t("personas.title") }}
        description={
          <span className="badge-row">
            <StatusBadge status={persona.status} />
            <KindBadge kind={persona.kind} />
            <span className="muted">{t("common.updated", { when: relative(persona.updated_at_unix_ms) })}</span>
          </span>
        }
        actions={
          <>
            {manage && <ExportMenu persona={persona} />}
            {activate &&
              (persona.status === "active" ? (
                <Button onClick={() => setDialog("deactivate")}>{t("deactivate.action")}</Button>
              ) : (
                <Button variant="primary" onClick={() => setDialog("activate")}>
                  {blocksActivation(blocker) ? t("activate.why") : t("activate.action")}
                </Button>
              ))}
            {manage && <Button variant="danger" icon="trash" onClick={() => setDialog("delete")} aria-label={t("editor.deleteFor", { name: persona.display_name })}>{t("common.delete")}</Button>}
          </>
        }
      />
      {!manage && <Callout tone="info">{t("editor.readOnly")}</Callout>}
      {persona.status !== "active" && blocker && blocksActivation(blocker) && (
        <Callout tone="warning" title={t("activate.blocked")}>
          {blockerText(blocker)}
        </Callout>
      )}
      <form
        className="editor"
        onSubmit={(e) => {
          e.preventDefault();
          if (dirty) save.mutate();
        }}
        noValidate
      >
        <Tabs
          label={t("editor.sections")}
          active={tab}
          onChange={setTab}
          tabs={tabs.map((x) => ({
            ...x,
            badge: errorsByTab.get(x.id) ? (
              <span className="tab-badge">
                <Badge tone="danger">{errorsByTab.get(x.id)}</Badge>
                <span className="visually-hidden">{t("editor.errorsInTab")}</span>
              </span>
            ) : undefined,
          }))}
        >
          <fieldset className="plain-fieldset" disabled={!manage}>
            <legend className="visually-hidden">{tabs.find((x) => x.id === tab)?.label}</legend>
            {section}
          </fieldset>
        </Tabs>
        {error &&
          (stale ? (
            <Callout tone="warning" title={t("errors.stale")}>
              <p>{t("editor.staleHelp")}</p>
              <Button size="sm" onClick={() => void queryClient.invalidateQueries({ queryKey: keys.persona(persona.id) })}>
                {t("editor.reload")}
              </Button>
            </Callout>
          ) : (
            <ErrorMessage error={error} showFields />
          ))}
        {manage && (
          <div className={`save-bar ${dirty ? "is-dirty" : ""}`}>
            <span className="save-status" aria-live="polite">
              {dirty ? tp("editor.unsaved", Object.keys(changes).length) : t("editor.allSaved")}
            </span>
            <Button onClick={() => setDraft(initial)} disabled={!dirty || save.isPending}>
              {t("editor.discard")}
            </Button>
            <Button type="submit" variant="primary" busy={save.isPending} disabled={!dirty}>
              {t("common.save")}
            </Button>
          </div>
        )}
      </form>
      {dialog === "activate" && <ActivateDialog persona={persona} onClose={() => setDialog(null)} onRecordConsent={() => setDialog("consent")} />}
      {dialog === "deactivate" && <DeactivateDialog persona={persona} onClose={() => setDialog(null)} />}
      {dialog === "consent" && <ConsentDialog persona={persona} onClose={() => setDialog(null)} />}
      <ConfirmDialog open={dialog === "delete"} onClose={() => setDialog(null)} onConfirm={() => remove.mutate()} busy={remove.isPending} title={t("editor.deleteTitle", { name: persona.display_name })} confirmLabel={t("common.delete")}>
        <p>{t("editor.deleteExplain")}</p>
        {remove.error && <ErrorMessage error={remove.error} />}
      </ConfirmDialog>
    </div>
  );
}
