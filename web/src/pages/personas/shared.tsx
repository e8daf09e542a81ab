import { useMemo, useRef, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useDocuments } from "../../api/hooks";
import { uploadForm, type UploadProgress } from "../../api/upload";
import type { ConsentInput, ImportedCard, MediaItem, Persona } from "../../api/types";
import { useAuth } from "../../auth";
import { Dialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Checkbox, Select, TextArea, TextInput } from "../../components/form";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, ProgressBar, type Tone } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { classifyBlocker, fieldErrorsUnder, type Blocker } from "../../lib/errors";
import { fromDateInput, toDateInput } from "../../lib/format";

const STATUS_TONE: Record<Persona["status"], Tone> = { draft: "neutral", active: "success", inactive: "warning" };

export function StatusBadge({ status }: { status: Persona["status"] }) {
  const { t } = useI18n();
  return <Badge tone={STATUS_TONE[status]}>{t(`persona.status.${status}`)}</Badge>;
}

export function KindBadge({ kind }: { kind: Persona["kind"] }) {
  const { t } = useI18n();
  return <Badge tone={kind === "fictional" ? "info" : "accent"}>{t(`persona.kind.${kind}`)}</Badge>;
}

/** The server's activation blocker said in the user's language. */
export function useBlockerText() {
  const { t } = useI18n();
  return (blocker: Blocker): string => {
    switch (blocker.kind) {
      case "minor":
        return t("blocker.minor", { field: blocker.field, phrase: blocker.phrase });
      case "attestation":
        return t("blocker.attestation");
      case "consent_missing":
        return t("blocker.consentMissing");
      case "consent_document":
        return t("blocker.consentDocument");
      case "consent_expired":
        return t("blocker.consentExpired");
      case "other":
        return blocker.text;
    }
  };
}

/** Whether the blocker stops activation even for someone who may activate (only the attestation is given in the dialog). */
export function blocksActivation(blocker: Blocker | null): boolean {
  return blocker !== null && blocker.kind !== "attestation";
}

export function personaBlocker(persona: Persona): Blocker | null {
  return persona.activation_blocker ? classifyBlocker(persona.activation_blocker) : null;
}

function useUpdatePersonaCache() {
  const queryClient = useQueryClient();
  return (persona: Persona) => {
    queryClient.setQueryData(keys.persona(persona.id), { persona, etag: `"${persona.revision}"` });
    void queryClient.invalidateQueries({ queryKey: keys.personas });
    void queryClient.invalidateQueries({ queryKey: keys.persona(persona.id) });
  };
}

export function ActivateDialog({ persona, onClose, onRecordConsent }: { persona: Persona; onClose: () => void; onRecordConsent?: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const blockerText = useBlockerText();
  const update = useUpdatePersonaCache();
  const [attest, setAttest] = useState(false);
  const blocker = personaBlocker(persona);
  const needsAttestation = blocker?.kind === "attestation";
  const mutation = useMutation({
    mutationFn: () => api.post<Persona>(`/api/v1/personas/${encodeURIComponent(persona.id)}/activate`, needsAttestation ? { attest_fictional_adult: true } : {}),
    onSuccess: (p) => {
      update(p);
      toast.success(t("activate.done", { name: p.display_name }));
      onClose();
    },
  });
  const blocked = blocksActivation(blocker);
  return (
    <Dialog
      open
      onClose={onClose}
      title={t("activate.title", { name: persona.display_name })}
      onSubmit={() => mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          {!blocked && (
            <Button type="submit" variant="primary" busy={mutation.isPending} disabled={needsAttestation && !attest}>
              {t("activate.action")}
            </Button>
          )}
        </>
      }
    >
      {blocked && blocker ? (
        <>
          <Callout tone="danger" title={t("activate.blocked")}>
            {blockerText(blocker)}
          </Callout>
          {blocker.kind === "minor" && (
            <p>
              <Link to={`/personas/${encodeURIComponent(persona.id)}`} onClick={onClose}>
                {t("activate.editTexts")}
              </Link>
            </p>
          )}
          {(blocker.kind === "consent_missing" || blocker.kind === "consent_document" || blocker.kind === "consent_expired") && onRecordConsent && (
            <Button variant="primary" onClick={onRecordConsent}>
              {t("consent.record")}
            </Button>
          )}
        </>
      ) : (
        <>
          <p>{t("activate.explain")}</p>
          {needsAttestation && (
            <div className="attestation">
              <Checkbox checked={attest} onChange={setAttest} label={t("activate.attestation", { name: persona.display_name })} hint={t("activate.attestationHint")} />
            </div>
          )}
          {persona.kind === "real_adult_with_consent" && persona.consent && (
            <Callout tone="info">{t("activate.consentOnFile", { name: persona.consent.subject_name })}</Callout>
          )}
        </>
      )}
      {mutation.error && <ErrorMessage error={mutation.error} />}
    </Dialog>
  );
}

export function DeactivateDialog({ persona, onClose }: { persona: Persona; onClose: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const update = useUpdatePersonaCache();
  const mutation = useMutation({
    mutationFn: () => api.post<Persona>(`/api/v1/personas/${encodeURIComponent(persona.id)}/deactivate`),
    onSuccess: (p) => {
      update(p);
      toast.success(t("deactivate.done", { name: p.display_name }));
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={onClose}
      size="sm"
      title={t("deactivate.title", { name: persona.display_name })}
      onSubmit={() => mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="danger" busy={mutation.isPending}>
            {t("deactivate.action")}
          </Button>
        </>
      }
    >
      <p>{t("deactivate.explain")}</p>
      {mutation.error && <ErrorMessage error={mutation.error} />}
    </Dialog>
  );
}

/** Records (or replaces) a real adult's consent, with the signed document from the vault. */
export function ConsentDialog({ persona, onClose }: { persona: Persona; onClose: () => void }) {
  const { t, bytes } = useI18n();
  const toast = useToast();
  const { can } = useAuth();
  const update = useUpdatePersonaCache();
  const queryClient = useQueryClient();
  const documents = useDocuments();
  const existing = persona.consent;
  const [subject, setSubject] = useState(existing?.subject_name ?? "");
  const [signedAt, setSignedAt] = useState(toDateInput(existing?.signed_at_unix_ms ?? null));
  const [expiresAt, setExpiresAt] = useState(toDateInput(existing?.expires_at_unix_ms ?? null));
  const [scope, setScope] = useState(existing?.scope ?? "");
  const [documentId, setDocumentId] = useState(existing?.document_media_id ?? "");
  const [progress, setProgress] = useState<UploadProgress | null>(null);
  const [uploadError, setUploadError] = useState<unknown>(null);
  const file = useRef<HTMLInputElement>(null);

  const mutation = useMutation({
    mutationFn: () => {
      const body: ConsentInput = {
        subject_name: subject.trim(),
        signed_at_unix_ms: fromDateInput(signedAt) ?? 0,
        scope: scope.trim(),
        document_media_id: documentId,
        expires_at_unix_ms: fromDateInput(expiresAt, true),
      };
      return api.put<Persona>(`/api/v1/personas/${encodeURIComponent(persona.id)}/consent`, body);
    },
    onSuccess: (p) => {
      update(p);
      toast.success(t("consent.recorded"));
      onClose();
    },
  });

  const uploadDocument = async (chosen: File) => {
    setUploadError(null);
    setProgress({ loaded: 0, total: chosen.size });
    const form = new FormData();
    form.append("persona_id", persona.id);
    form.append("description", t("consent.documentDescription", { name: persona.display_name }));
    form.append("file", chosen, chosen.name);
    try {
      const item = await uploadForm<MediaItem>(api, "/api/v1/media", form, { onProgress: setProgress });
      setDocumentId(item.id);
      await queryClient.invalidateQueries({ queryKey: ["media"] });
    } catch (e) {
      setUploadError(e);
    } finally {
      setProgress(null);
    }
  };

  const fields = fieldErrorsUnder(mutation.error);
  const options = (documents.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.original_name} (${bytes(d.size_bytes)})` }));
  if (documentId && !options.some((o) => o.value === documentId)) options.unshift({ value: documentId, label: documentId });
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={t("consent.title", { name: persona.display_name })}
      description={t("consent.help")}
      onSubmit={() => mutation.mutate()}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary" busy={mutation.isPending} disabled={!documentId || !subject.trim() || !signedAt || !scope.trim()}>
            {t("consent.save")}
          </Button>
        </>
      }
    >
      <div className="form-grid">
        <TextInput label={t("consent.subject")} value={subject} onChange={(e) => setSubject(e.target.value)} required error={fields.get("subject_name")} />
        <TextInput label={t("consent.signedAt")} type="date" value={signedAt} max={toDateInput(Date.now())} onChange={(e) => setSignedAt(e.target.value)} required error={fields.get("signed_at_unix_ms")} />
        <TextInput label={t("consent.expiresAt")} hint={t("consent.expiresHint")} type="date" value={expiresAt} min={toDateInput(Date.now() + 86_400_000)} onChange={(e) => setExpiresAt(e.target.value)} error={fields.get("expires_at_unix_ms")} />
      </div>
      <TextArea label={t("consent.scope")} hint={t("consent.scopeHint")} value={scope} onChange={(e) => setScope(e.target.value)} required rows={3} error={fields.get("scope")} />
      <Select
        label={t("consent.document")}
        hint={t("consent.documentHint")}
        value={documentId}
        onChange={(e) => setDocumentId(e.target.value)}
        options={[{ value: "", label: documents.isPending ? t("common.loading") : t("consent.chooseDocument") }, ...options]}
        required
        error={fields.get("document_media_id")}
      />
      {can("media.manage") && (
        <div className="inline-upload">
          <input ref={file} type="file" accept="application/pdf,image/jpeg,image/png,image/webp" className="visually-hidden" id="consent-file" onChange={(e) => e.target.files?.[0] && void uploadDocument(e.target.files[0])} tabIndex={-1} />
          <Button size="sm" icon="upload" onClick={() => file.current?.click()} disabled={progress !== null}>
            {t("consent.uploadDocument")}
          </Button>
          {progress && <ProgressBar value={progress.loaded} max={progress.total} label={t("media.uploading")} />}
        </div>
      )}
      {uploadError !== null && <ErrorMessage error={uploadError} compact />}
      {mutation.error && <ErrorMessage error={mutation.error} />}
    </Dialog>
  );
}

export function ImportCardDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [result, setResult] = useState<ImportedCard | null>(null);
  const mutation = useMutation({
    mutationFn: async (chosen: File) => {
      const isPng = chosen.type === "image/png" || chosen.name.toLowerCase().endsWith(".png");
      return api.post<ImportedCard>("/api/v1/personas/import", undefined, {
        body: isPng ? chosen : await chosen.text(),
        contentType: isPng ? "image/png" : "application/json",
      });
    },
    onSuccess: (r) => {
      setResult(r);
      void queryClient.invalidateQueries({ queryKey: keys.personas });
    },
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={t("import.title")}
      description={t("import.help")}
      onSubmit={() => (result ? navigate(`/personas/${encodeURIComponent(result.persona.id)}`) : file && mutation.mutate(file))}
      footer={
        result ? (
          <>
            <Button onClick={onClose}>{t("common.close")}</Button>
            <Button type="submit" variant="primary">
              {t("import.open")}
            </Button>
          </>
        ) : (
          <>
            <Button onClick={onClose}>{t("common.cancel")}</Button>
            <Button type="submit" variant="primary" busy={mutation.isPending} disabled={!file}>
              {t("import.action")}
            </Button>
          </>
        )
      }
    >
      {result ? (
        <div className="stack">
          <Callout tone="success" title={t("import.done", { name: result.persona.display_name })}>
            {t("import.version", { version: result.card_version.toUpperCase() })}
          </Callout>
          {result.warnings.length > 0 && (
            <Callout tone="warning" title={t("import.warnings")}>
              <ul className="callout-list">
                {result.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            </Callout>
          )}
        </div>
      ) : (
        <FilePicker accept=".json,.png,application/json,image/png" file={file} onFile={setFile} label={t("import.file")} hint={t("import.fileHint")} />
      )}
      {mutation.error && <ErrorMessage error={mutation.error} />}
    </Dialog>
  );
}

/** A file input styled as a drop zone; keyboard users reach the real input. */
export function FilePicker({ accept, file, onFile, label, hint, multiple, onFiles }: { accept: string; file: File | null; onFile?: (f: File | null) => void; onFiles?: (f: File[]) => void; label: string; hint?: string; multiple?: boolean }) {
  const { t, bytes } = useI18n();
  const [over, setOver] = useState(false);
  const id = useMemo(() => `file-${Math.random().toString(36).slice(2)}`, []);
  const take = (list: FileList | null) => {
    const files = list ? Array.from(list) : [];
    onFiles?.(files);
    onFile?.(files[0] ?? null);
  };
  return (
    <div
      className={`dropzone ${over ? "is-over" : ""}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        take(e.dataTransfer.files);
      }}
    >
      <label htmlFor={id} className="dropzone-label">
        <span className="dropzone-title">{label}</span>
        <span className="dropzone-hint">{hint ?? t("media.dropHint")}</span>
        {file && (
          <span className="dropzone-file">
            {file.name} · {bytes(file.size)}
          </span>
        )}
      </label>
      <input id={id} type="file" accept={accept} multiple={multiple} className="dropzone-input" onChange={(e) => take(e.target.files)} />
    </div>
  );
}

export function PersonaAvatar({ persona, size = 44 }: { persona: Persona; size?: number }) {
  const initials = persona.display_name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((p) => p[0]?.toUpperCase())
    .join("");
  const first = persona.visual.reference_media_ids?.[0];
  return (
    <span className={`persona-avatar size-${size}`} aria-hidden="true">
      {first ? <img src={`/api/v1/media/${encodeURIComponent(first)}/variants/thumbnail`} alt="" loading="lazy" /> : initials}
    </span>
  );
}
