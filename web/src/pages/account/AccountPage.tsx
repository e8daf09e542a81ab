import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { RecoveryCodes as Codes, SignedIn, TotpEnrolment } from "../../api/types";
import { useAuth, useMe } from "../../auth";
import { Dialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { TextInput } from "../../components/form";
import { RecoveryCodes } from "../../components/RecoveryCodes";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Card, DescriptionList, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { fieldErrorsUnder } from "../../lib/errors";
import { TotpSetup } from "../SignInPage";
import { useDocumentTitle } from "../useDocumentTitle";

export function AccountPage() {
  const { t } = useI18n();
  useDocumentTitle(t("account.title"));
  const me = useMe();
  return (
    <div className="page page-narrow">
      <PageHeader title={t("account.title")} description={t("account.subtitle")} />
      <Card title={t("account.profile")} id="profile">
        <DescriptionList
          items={[
            [t("account.name"), me.display_name || "—"],
            [t("auth.email"), me.email],
            [t("account.tenant"), me.tenant.name],
            [t("team.role"), <Badge tone="accent">{t(`role.${me.role}`)}</Badge>],
          ]}
        />
      </Card>
      <PasswordCard />
      <TwoFactorCard />
    </div>
  );
}

function PasswordCard() {
  const { t } = useI18n();
  const toast = useToast();
  const me = useMe();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [mismatch, setMismatch] = useState(false);
  const change = useMutation({
    mutationFn: () => api.post<SignedIn>("/api/v1/me/password", { current_password: current, new_password: next }),
    onSuccess: () => {
      setCurrent("");
      setNext("");
      setConfirm("");
      toast.success(t("password.changed"));
    },
  });
  const fields = fieldErrorsUnder(change.error);
  return (
    <Card title={t("password.title")} description={t("password.help")} id="password">
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          setMismatch(next !== confirm);
          if (next === confirm) change.mutate();
        }}
      >
        <input type="text" name="username" autoComplete="username" value={me.email} readOnly hidden />
        <TextInput label={t("password.current")} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required error={fields.get("current_password")} />
        <div className="form-grid">
          <TextInput label={t("auth.newPassword")} hint={t("auth.passwordRules")} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} required minLength={8} maxLength={128} error={fields.get("new_password")} />
          <TextInput label={t("auth.passwordConfirm")} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required error={mismatch ? t("auth.passwordMismatch") : undefined} />
        </div>
        {change.error && <ErrorMessage error={change.error} />}
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={change.isPending} disabled={!current || next.length < 8}>
            {t("password.change")}
          </Button>
        </div>
      </form>
    </Card>
  );
}

function TwoFactorCard() {
  const { t } = useI18n();
  const me = useMe();
  const [dialog, setDialog] = useState<"enable" | "disable" | "codes" | null>(null);
  return (
    <Card
      title={t("totp.title")}
      description={t("totp.help")}
      id="two-factor"
      actions={me.totp_enabled ? <Badge tone="success">{t("totp.on")}</Badge> : <Badge tone={me.tenant.require_mfa ? "warning" : "neutral"}>{t("totp.off")}</Badge>}
    >
      <div className="button-row">
        {me.totp_enabled ? (
          <>
            <Button onClick={() => setDialog("codes")}>{t("totp.newCodes")}</Button>
            <Button variant="danger" onClick={() => setDialog("disable")} disabled={me.tenant.require_mfa} title={me.tenant.require_mfa ? t("totp.requiredByTenant") : undefined}>
              {t("totp.disable")}
            </Button>
          </>
        ) : (
          <Button variant="primary" icon="shield" onClick={() => setDialog("enable")}>
            {t("totp.enable")}
          </Button>
        )}
      </div>
      {me.totp_enabled && me.tenant.require_mfa && <p className="muted-note">{t("totp.requiredByTenant")}</p>}
      {dialog === "enable" && <EnableDialog onClose={() => setDialog(null)} />}
      {dialog === "disable" && <DisableDialog onClose={() => setDialog(null)} />}
      {dialog === "codes" && <NewCodesDialog onClose={() => setDialog(null)} />}
    </Card>
  );
}

function EnableDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const { reload } = useAuth();
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const begin = useMutation({ mutationFn: () => api.post<TotpEnrolment>("/api/v1/me/totp", { password }) });
  const confirm = useMutation({
    mutationFn: () => api.post<Codes>("/api/v1/me/totp/confirm", { code: code.replace(/\s+/g, "") }),
    onSuccess: () => void reload(),
  });
  const step = confirm.data ? "codes" : begin.data ? "scan" : "password";
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={t("totp.enableTitle")}
      onSubmit={() => (step === "password" ? begin.mutate() : step === "scan" ? confirm.mutate() : onClose())}
      footer={
        step === "codes" ? (
          <Button type="submit" variant="primary">
            {t("totp.savedCodes")}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t("common.cancel")}</Button>
            <Button type="submit" variant="primary" busy={begin.isPending || confirm.isPending}>
              {step === "password" ? t("common.continue") : t("totp.enable")}
            </Button>
          </>
        )
      }
    >
      {step === "password" && (
        <>
          <p>{t("totp.passwordFirst")}</p>
          <TextInput label={t("auth.password")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
          {begin.error && <ErrorMessage error={begin.error} />}
        </>
      )}
      {step === "scan" && begin.data && (
        <>
          <TotpSetup uri={begin.data.otpauth_uri} secret={begin.data.secret_base32} />
          <TextInput label={t("totp.code")} hint={t("totp.codeHint")} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
          {confirm.error && <ErrorMessage error={confirm.error} />}
        </>
      )}
      {step === "codes" && confirm.data && <RecoveryCodes codes={confirm.data.recovery_codes} />}
    </Dialog>
  );
}

function DisableDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const { reload } = useAuth();
  const toast = useToast();
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const disable = useMutation({
    mutationFn: () => api.delete("/api/v1/me/totp", { json: { password, code: code.trim() } }),
    onSuccess: async () => {
      await reload();
      toast.success(t("totp.disabled"));
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={t("totp.disableTitle")}
      description={t("totp.disableHelp")}
      onSubmit={() => disable.mutate()}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="danger" busy={disable.isPending}>
            {t("totp.disable")}
          </Button>
        </>
      }
    >
      <TextInput label={t("auth.password")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
      <TextInput label={t("auth.codeOrRecovery")} autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required />
      {disable.error && <ErrorMessage error={disable.error} />}
    </Dialog>
  );
}

function NewCodesDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState("");
  const renew = useMutation({ mutationFn: () => api.post<Codes>("/api/v1/me/recovery-codes", { password }) });
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={t("totp.newCodes")}
      description={renew.data ? undefined : t("totp.newCodesHelp")}
      onSubmit={() => (renew.data ? onClose() : renew.mutate())}
      footer={
        renew.data ? (
          <Button type="submit" variant="primary">
            {t("totp.savedCodes")}
          </Button>
        ) : (
          <>
            <Button onClick={onClose}>{t("common.cancel")}</Button>
            <Button type="submit" variant="primary" busy={renew.isPending}>
              {t("totp.generate")}
            </Button>
          </>
        )
      }
    >
      {renew.data ? (
        <RecoveryCodes codes={renew.data.recovery_codes} />
      ) : (
        <>
          <TextInput label={t("auth.password")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
          {renew.error && <ErrorMessage error={renew.error} />}
        </>
      )}
    </Dialog>
  );
}
