import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys } from "../../api/hooks";
import type { Persona, PersonaInput } from "../../api/types";
import { useAuth } from "../../auth";
import { ErrorMessage } from "../../components/ErrorMessage";
import { ListInput, Select, TextArea, TextInput } from "../../components/form";
import { useToast } from "../../components/Toasts";
import { Button, Callout, Card, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { fieldErrorsUnder } from "../../lib/errors";
import { useDocumentTitle } from "../useDocumentTitle";

export function timeZones(): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    zones = [];
  }
  return zones.includes("UTC") ? zones : ["UTC", ...zones];
}

export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export function PersonaCreatePage() {
  const { t, locale } = useI18n();
  useDocumentTitle(t("personas.new"));
  const { can } = useAuth();
  const navigate = useNavigate();
  const toast = useToast();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [kind, setKind] = useState<Persona["kind"]>("fictional");
  const [bio, setBio] = useState("");
  const [timezone, setTimezone] = useState(browserTimeZone);
  const [languages, setLanguages] = useState<string[]>([locale]);
  const mutation = useMutation({
    mutationFn: () => {
      const input: PersonaInput = { display_name: name.trim(), kind, bio, timezone, languages };
      return api.post<Persona>("/api/v1/personas", input);
    },
    onSuccess: (persona) => {
      void queryClient.invalidateQueries({ queryKey: keys.personas });
      toast.success(t("personas.created", { name: persona.display_name }));
      navigate(`/personas/${encodeURIComponent(persona.id)}`, { replace: true });
    },
  });
  const fields = fieldErrorsUnder(mutation.error);

  if (!can("personas.manage")) {
    return (
      <div className="page">
        <PageHeader title={t("personas.new")} back={{ to: "/personas", label: t("personas.title") }} />
        <Callout tone="warning" title={t("errors.forbidden")}>
          {t("personas.cannotCreate")}
        </Callout>
      </div>
    );
  }

  return (
    <div className="page page-narrow">
      <PageHeader title={t("personas.new")} description={t("personas.newHelp")} back={{ to: "/personas", label: t("personas.title") }} />
      <Card>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            mutation.mutate();
          }}
        >
          <TextInput label={t("persona.displayName")} value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus error={fields.get("display_name")} />
          <Select
            label={t("persona.kindLabel")}
            hint={kind === "fictional" ? t("persona.kindFictionalHint") : t("persona.kindRealHint")}
            value={kind}
            onChange={(e) => setKind(e.target.value as Persona["kind"])}
            options={[
              { value: "fictional", label: t("persona.kind.fictional") },
              { value: "real_adult_with_consent", label: t("persona.kind.real_adult_with_consent") },
            ]}
          />
          <TextArea label={t("persona.bio")} value={bio} onChange={(e) => setBio(e.target.value)} maxLength={2000} rows={3} error={fields.get("bio")} />
          <div className="form-grid">
            <Select label={t("persona.timezone")} value={timezone} onChange={(e) => setTimezone(e.target.value)} options={timeZones().map((z) => ({ value: z, label: z.replace(/_/g, " ") }))} error={fields.get("timezone")} />
            <ListInput label={t("persona.languages")} hint={t("persona.languagesHint")} value={languages} onChange={setLanguages} error={fields.get("languages") ?? [...fields].find(([k]) => k.startsWith("languages["))?.[1]} />
          </div>
          {mutation.error && <ErrorMessage error={mutation.error} showFields />}
          <div className="form-actions">
            <Button onClick={() => navigate("/personas")}>{t("common.cancel")}</Button>
            <Button type="submit" variant="primary" busy={mutation.isPending} disabled={!name.trim()}>
              {t("personas.createDraft")}
            </Button>
          </div>
        </form>
      </Card>
    </div>
  );
}
