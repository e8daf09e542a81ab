import { useEffect, useState } from "react";
import { Navigate, useNavigate, useSearchParams } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "../api/client";
import { keys } from "../api/hooks";
import type { SetupStatus, SignedIn, TenantChoice, TotpEnrolment } from "../api/types";
import { useAuth } from "../auth";
import { ErrorMessage } from "../components/ErrorMessage";
import { TextInput } from "../components/form";
import { QrCode } from "../components/QrCode";
import { RecoveryCodes } from "../components/RecoveryCodes";
import { Button, Callout, LoadingState } from "../components/ui";
import { useI18n } from "../i18n/I18nProvider";
import { AuthLayout } from "./AuthLayout";
import { useDocumentTitle } from "./useDocumentTitle";

type Step =
  | { kind: "credentials" }
  | { kind: "code" }
  | { kind: "tenant"; tenants: TenantChoice[] }
  | { kind: "enrol"; ticket: string; enrolment: TotpEnrolment | null }
  | { kind: "codes"; codes: string[] };

/** Where to go after signing in: only a path of this site (never another origin). */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

export function SignInPage() {
  const { t } = useI18n();
  useDocumentTitle(t("auth.signInTitle"));
  const { me, signIn, reload, status } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [step, setStep] = useState<Step>({ kind: "credentials" });
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [tenant, setTenant] = useState<string | undefined>(undefined);
  const [code, setCode] = useState("");
  const [useRecovery, setUseRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const setup = useQuery({ queryKey: keys.setup, queryFn: () => api.get<SetupStatus>("/api/v1/setup"), retry: false });

  useEffect(() => setError(null), [step.kind]);

  if (status === "loading") return <LoadingState />;
  if (me && step.kind !== "codes") return <Navigate to={next} replace />;

  const attempt = async (overrides: { tenant?: string } = {}) => {
    setBusy(true);
    setError(null);
    const chosenTenant = overrides.tenant ?? tenant;
    try {
      const secondFactor =
        step.kind === "code" ? (useRecovery ? { recovery_code: code.trim() } : { totp: code.replace(/\s+/g, "") }) : {};
      await signIn({ email: email.trim(), password, ...(chosenTenant ? { tenant: chosenTenant } : {}), ...secondFactor });
      navigate(next, { replace: true });
    } catch (e) {
      if (e instanceof ApiError) {
        if (e.problem === "mfa-required") {
          setStep({ kind: "code" });
          return;
        }
        if (e.problem === "tenant-choice-required") {
          const tenants = Array.isArray(e.body.tenants) ? (e.body.tenants as TenantChoice[]) : [];
          setStep({ kind: "tenant", tenants });
          return;
        }
        if (e.problem === "mfa-enrolment-required" && typeof e.body.enrolment_ticket === "string") {
          const ticket = e.body.enrolment_ticket;
          setStep({ kind: "enrol", ticket, enrolment: null });
          try {
            const enrolment = await api.post<TotpEnrolment>("/api/v1/auth/mfa-enrolment", { enrolment_ticket: ticket });
            setStep({ kind: "enrol", ticket, enrolment });
          } catch (inner) {
            setError(inner);
          }
          return;
        }
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const confirmEnrolment = async (ticket: string) => {
    setBusy(true);
    setError(null);
    try {
      const signedIn = await api.post<SignedIn>("/api/v1/auth/mfa-enrolment/confirm", {
        enrolment_ticket: ticket,
        code: code.replace(/\s+/g, ""),
        mode: "cookie",
      });
      setStep({ kind: "codes", codes: signedIn.recovery_codes ?? [] });
      await reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (step.kind === "codes") {
    return (
      <AuthLayout title={t("totp.enabledTitle")} subtitle={t("totp.enabledHelp")}>
        <RecoveryCodes codes={step.codes} />
        <Button variant="primary" className="btn-block" onClick={() => navigate(next, { replace: true })}>
          {t("auth.continue")}
        </Button>
      </AuthLayout>
    );
  }

  if (step.kind === "enrol") {
    return (
      <AuthLayout title={t("totp.requiredTitle")} subtitle={t("totp.requiredHelp")} wide>
        {step.enrolment ? (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void confirmEnrolment(step.ticket);
            }}
          >
            <TotpSetup uri={step.enrolment.otpauth_uri} secret={step.enrolment.secret_base32} />
            <TextInput label={t("totp.code")} hint={t("totp.codeHint")} inputMode="numeric" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
            {error !== null && <ErrorMessage error={error} />}
            <Button type="submit" variant="primary" busy={busy} className="btn-block">
              {t("totp.enableAndSignIn")}
            </Button>
          </form>
        ) : error !== null ? (
          <ErrorMessage error={error} />
        ) : (
          <LoadingState />
        )}
        <BackToCredentials onBack={() => setStep({ kind: "credentials" })} />
      </AuthLayout>
    );
  }

  if (step.kind === "tenant") {
    return (
      <AuthLayout title={t("auth.chooseTenant")} subtitle={t("auth.chooseTenantHelp")}>
        <ul className="choice-list">
          {step.tenants.map((choice) => (
            <li key={choice.id}>
              <button
                type="button"
                className="choice"
                disabled={busy}
                onClick={() => {
                  setTenant(choice.id);
                  void attempt({ tenant: choice.id });
                }}
              >
                <span className="choice-title">{choice.name}</span>
                <span className="choice-meta">{t(`role.${choice.role}`)}</span>
              </button>
            </li>
          ))}
        </ul>
        {error !== null && <ErrorMessage error={error} />}
        <BackToCredentials onBack={() => setStep({ kind: "credentials" })} />
      </AuthLayout>
    );
  }

  if (step.kind === "code") {
    return (
      <AuthLayout title={t("auth.codeTitle")} subtitle={useRecovery ? t("auth.recoveryHelp") : t("auth.codeHelp")}>
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void attempt();
          }}
        >
          {useRecovery ? (
            <TextInput key="recovery" label={t("auth.recoveryCode")} autoComplete="off" spellCheck={false} value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
          ) : (
            <TextInput key="totp" label={t("totp.code")} hint={t("totp.codeHint")} inputMode="numeric" autoComplete="one-time-code" pattern="[0-9 ]*" value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
          )}
          {error !== null && <ErrorMessage error={error} />}
          <Button type="submit" variant="primary" busy={busy} className="btn-block">
            {t("auth.verify")}
          </Button>
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setUseRecovery((r) => !r);
              setCode("");
            }}
          >
            {useRecovery ? t("auth.useTotp") : t("auth.useRecovery")}
          </button>
        </form>
        <BackToCredentials onBack={() => setStep({ kind: "credentials" })} />
      </AuthLayout>
    );
  }

  return (
    <AuthLayout title={t("auth.signInTitle")} subtitle={t("auth.signInSubtitle")}>
      {setup.data?.required && (
        <Callout tone="info" title={t("setup.pendingTitle")}>
          {t("setup.pendingHelp")}
        </Callout>
      )}
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void attempt();
        }}
      >
        <TextInput label={t("auth.email")} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus />
        <TextInput label={t("auth.password")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        {error !== null && <SignInError error={error} />}
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t("auth.signIn")}
        </Button>
      </form>
    </AuthLayout>
  );
}

function SignInError({ error }: { error: unknown }) {
  const { t } = useI18n();
  if (error instanceof ApiError && error.status === 401) {
    return (
      <div className="callout callout-danger" role="alert">
        <div className="callout-body">
          <p className="callout-title">{t("auth.badCredentials")}</p>
        </div>
      </div>
    );
  }
  return <ErrorMessage error={error} />;
}

function BackToCredentials({ onBack }: { onBack: () => void }) {
  const { t } = useI18n();
  return (
    <p className="auth-footer">
      <button type="button" className="link-button" onClick={onBack}>
        {t("auth.back")}
      </button>
    </p>
  );
}

/** The QR code and the secret typed by hand, for an authenticator app. */
export function TotpSetup({ uri, secret }: { uri: string; secret: string }) {
  const { t } = useI18n();
  const grouped = secret.replace(/(.{4})/g, "$1 ").trim();
  return (
    <div className="totp-setup">
      <QrCode value={uri} label={t("totp.qrLabel")} />
      <div className="totp-steps">
        <ol>
          <li>{t("totp.step1")}</li>
          <li>{t("totp.step2")}</li>
          <li>{t("totp.step3")}</li>
        </ol>
        <p className="field-hint">{t("totp.manual")}</p>
        <p className="mono secret" aria-label={t("totp.secretLabel")}>
          {grouped}
        </p>
      </div>
    </div>
  );
}
