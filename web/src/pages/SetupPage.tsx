import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "../api/client";
import { keys } from "../api/hooks";
import type { SetupDone, SetupStatus } from "../api/types";
import { useAuth } from "../auth";
import { ErrorMessage } from "../components/ErrorMessage";
import { TextInput } from "../components/form";
import { Button, Callout, LoadingState } from "../components/ui";
import { useI18n } from "../i18n/I18nProvider";
import { fieldErrorsUnder } from "../lib/errors";
import { AuthLayout } from "./AuthLayout";
import { useDocumentTitle } from "./useDocumentTitle";

/** The token of a `#token=...` fragment (fragments never reach the server or its logs). */
export function tokenFromHash(hash: string): string | null {
  const params = new URLSearchParams(hash.startsWith("#") ? hash.slice(1) : hash);
  const token = params.get("token");
  return token && token.length <= 512 ? token : null;
}

export function SetupPage() {
  const { t } = useI18n();
  useDocumentTitle(t("setup.title"));
  const { signIn } = useAuth();
  const navigate = useNavigate();
  const [token] = useState(() => tokenFromHash(window.location.hash));
  const status = useQuery({ queryKey: keys.setup, queryFn: () => api.get<SetupStatus>("/api/v1/setup"), retry: false });
  const [agency, setAgency] = useState("");
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [mismatch, setMismatch] = useState(false);

  useEffect(() => {
    // The token stays in memory only: not in the address bar, not in the history.
    if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
  }, []);

  if (status.isPending) return <LoadingState />;
  if (status.data && !status.data.required) {
    return (
      <AuthLayout title={t("setup.doneTitle")} subtitle={t("setup.doneHelp")}>
        <Link to="/signin" className="btn btn-primary btn-block">
          {t("auth.signIn")}
        </Link>
      </AuthLayout>
    );
  }
  if (!token) {
    return (
      <AuthLayout title={t("setup.title")}>
        <Callout tone="warning" title={t("setup.noTokenTitle")}>
          {t("setup.noTokenHelp")}
        </Callout>
      </AuthLayout>
    );
  }

  const fields = fieldErrorsUnder(error);
  const submit = async () => {
    setMismatch(password !== confirm);
    if (password !== confirm) return;
    setBusy(true);
    setError(null);
    try {
      await api.post<SetupDone>("/api/v1/setup", {
        token,
        tenant_name: agency.trim(),
        email: email.trim(),
        password,
        ...(name.trim() ? { display_name: name.trim() } : {}),
      });
      await signIn({ email: email.trim(), password });
      navigate("/", { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t("setup.title")} subtitle={t("setup.subtitle")}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <TextInput label={t("setup.agency")} hint={t("setup.agencyHint")} value={agency} onChange={(e) => setAgency(e.target.value)} required autoFocus maxLength={100} error={fields.get("tenant_name")} />
        <TextInput label={t("setup.yourName")} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} error={fields.get("display_name")} />
        <TextInput label={t("auth.email")} type="email" autoComplete="username" value={email} onChange={(e) => setEmail(e.target.value)} required error={fields.get("email")} />
        <TextInput label={t("auth.password")} hint={t("auth.passwordRules")} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} maxLength={128} error={fields.get("password")} />
        <TextInput label={t("auth.passwordConfirm")} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} required error={mismatch ? t("auth.passwordMismatch") : undefined} />
        {error !== null &&
          (error instanceof ApiError && error.status === 401 ? (
            <Callout tone="danger" title={t("setup.tokenRefused")}>
              {t("setup.tokenRefusedHelp")}
            </Callout>
          ) : (
            <ErrorMessage error={error} />
          ))}
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t("setup.create")}
        </Button>
      </form>
    </AuthLayout>
  );
}
