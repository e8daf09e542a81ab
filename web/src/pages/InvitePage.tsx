import { useEffect, useState } from "react";
import { Link, useNavigate } from "react-router";
import { api, ApiError } from "../api/client";
import type { AcceptedInvitation } from "../api/types";
import { useAuth } from "../auth";
import { ErrorMessage } from "../components/ErrorMessage";
import { TextInput } from "../components/form";
import { Button, Callout, LoadingState } from "../components/ui";
import { useI18n } from "../i18n/I18nProvider";
import { fieldErrorsUnder } from "../lib/errors";
import { AuthLayout } from "./AuthLayout";
import { tokenFromHash } from "./SetupPage";
import { useDocumentTitle } from "./useDocumentTitle";

const STORAGE_KEY = "personae.invitation";

/** The invitation link `/invite#token=...`: a new user creates an account, a signed-in one accepts. */
export function InvitePage() {
  const { t } = useI18n();
  useDocumentTitle(t("invite.title"));
  const { me, status, reload } = useAuth();
  const navigate = useNavigate();
  const [token] = useState(() => {
    const fromHash = tokenFromHash(window.location.hash);
    try {
      if (fromHash) window.sessionStorage.setItem(STORAGE_KEY, fromHash);
      return fromHash ?? window.sessionStorage.getItem(STORAGE_KEY);
    } catch {
      return fromHash;
    }
  });
  const [name, setName] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [accepted, setAccepted] = useState<AcceptedInvitation | null>(null);

  useEffect(() => {
    if (window.location.hash) window.history.replaceState(null, "", window.location.pathname);
  }, []);

  const forget = () => {
    try {
      window.sessionStorage.removeItem(STORAGE_KEY);
    } catch {
      // nothing stored
    }
  };

  if (status === "loading") return <LoadingState />;
  if (!token) {
    return (
      <AuthLayout title={t("invite.title")}>
        <Callout tone="warning" title={t("invite.noToken")}>
          {t("invite.noTokenHelp")}
        </Callout>
      </AuthLayout>
    );
  }

  if (accepted) {
    return (
      <AuthLayout title={t("invite.welcome", { name: accepted.tenant.name })} subtitle={t("invite.roleGiven", { role: t(`role.${accepted.role}`) })}>
        {accepted.user_created ? (
          <Link to="/signin" className="btn btn-primary btn-block">
            {t("auth.signIn")}
          </Link>
        ) : (
          <>
            <p>{t("invite.switchHint")}</p>
            <Button variant="primary" className="btn-block" onClick={() => navigate("/")}>
              {t("auth.continue")}
            </Button>
          </>
        )}
      </AuthLayout>
    );
  }

  const run = async (action: () => Promise<AcceptedInvitation>) => {
    setBusy(true);
    setError(null);
    try {
      const result = await action();
      forget();
      setAccepted(result);
      if (!result.user_created) await reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  if (me) {
    return (
      <AuthLayout title={t("invite.title")} subtitle={t("invite.signedInAs", { email: me.email })}>
        {error !== null && <ErrorMessage error={error} />}
        <Button variant="primary" className="btn-block" busy={busy} onClick={() => void run(() => api.post<AcceptedInvitation>("/api/v1/invitations/accept", { token }))}>
          {t("invite.accept")}
        </Button>
      </AuthLayout>
    );
  }

  const fields = fieldErrorsUnder(error);
  const exists = error instanceof ApiError && error.status === 409;
  return (
    <AuthLayout title={t("invite.title")} subtitle={t("invite.newHelp")}>
      <form
        className="stack"
        onSubmit={(e) => {
          e.preventDefault();
          void run(() =>
            api.post<AcceptedInvitation>("/api/v1/invitations/register", { token, password, ...(name.trim() ? { display_name: name.trim() } : {}) }),
          );
        }}
      >
        <TextInput label={t("setup.yourName")} autoComplete="name" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} error={fields.get("display_name")} autoFocus />
        <TextInput label={t("auth.newPassword")} hint={t("auth.passwordRules")} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} required minLength={8} maxLength={128} error={fields.get("password")} />
        {exists ? (
          <Callout tone="info" title={t("invite.existsTitle")}>
            {t("invite.existsHelp")}
          </Callout>
        ) : (
          error !== null && <ErrorMessage error={error} />
        )}
        <Button type="submit" variant="primary" busy={busy} className="btn-block">
          {t("invite.createAccount")}
        </Button>
      </form>
      <p className="auth-footer">
        {t("invite.haveAccount")}{" "}
        <Link to={`/signin?next=${encodeURIComponent("/invite")}`}>{t("auth.signIn")}</Link>
      </p>
    </AuthLayout>
  );
}
