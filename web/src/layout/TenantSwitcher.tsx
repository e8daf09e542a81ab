import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "../api/client";
import type { Session, TenantChoice } from "../api/types";
import { useAuth, useMe } from "../auth";
import { Dialog } from "../components/Dialog";
import { ErrorMessage } from "../components/ErrorMessage";
import { TextInput } from "../components/form";
import { Icon } from "../components/Icon";
import { useToast } from "../components/Toasts";
import { Badge, Button } from "../components/ui";
import { useI18n } from "../i18n/I18nProvider";

/**
 * The agency the session acts in, and the role held there. Switching signs in again naming the
 * other tenant (the API has no switch endpoint: a session belongs to one tenant), then ends the
 * previous session so that it does not linger.
 */
export function TenantSwitcher() {
  const { t } = useI18n();
  const me = useMe();
  const id = useId();
  const [target, setTarget] = useState<TenantChoice | null>(null);
  const others = me.tenants.filter((x) => x.id !== me.tenant.id);
  return (
    <div className="tenant-switcher">
      <Icon name="team" size={18} />
      {others.length === 0 ? (
        <span className="tenant-name" title={t("tenant.current")}>
          {me.tenant.name}
        </span>
      ) : (
        <>
          <label htmlFor={id} className="visually-hidden">
            {t("tenant.switchLabel")}
          </label>
          <select
            id={id}
            className="tenant-select"
            value={me.tenant.id}
            onChange={(e) => {
              const choice = me.tenants.find((x) => x.id === e.target.value);
              if (choice && choice.id !== me.tenant.id) setTarget(choice);
            }}
          >
            {me.tenants.map((x) => (
              <option key={x.id} value={x.id}>
                {x.id === me.tenant.id ? x.name : `${x.name} (${t(`role.${x.role}`)})`}
              </option>
            ))}
          </select>
        </>
      )}
      <span className="role-badge">
        <Badge tone="accent">
          <span className="visually-hidden">{t("tenant.yourRole")} </span>
          {t(`role.${me.role}`)}
        </Badge>
      </span>
      {target && <SwitchDialog target={target} onClose={() => setTarget(null)} />}
    </div>
  );
}

function SwitchDialog({ target, onClose }: { target: TenantChoice; onClose: () => void }) {
  const { t } = useI18n();
  const me = useMe();
  const { signIn } = useAuth();
  const toast = useToast();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [needCode, setNeedCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  const submit = async () => {
    setBusy(true);
    setError(null);
    try {
      const sessions = await api.get<{ items: Session[] }>("/api/v1/sessions").catch(() => ({ items: [] as Session[] }));
      const previous = sessions.items.find((s) => s.current)?.id;
      const trimmed = code.replace(/\s+/g, "");
      await signIn({
        email: me.email,
        password,
        tenant: target.id,
        ...(needCode && trimmed ? (/^\d{6,8}$/.test(trimmed) ? { totp: trimmed } : { recovery_code: code.trim() }) : {}),
      });
      if (previous) await api.delete(`/api/v1/sessions/${encodeURIComponent(previous)}`).catch(() => undefined);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== "me" });
      toast.success(t("tenant.switched", { name: target.name }));
      onClose();
      navigate("/");
    } catch (e) {
      if (e instanceof ApiError && e.problem === "mfa-required") {
        setNeedCode(true);
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open
      onClose={onClose}
      title={t("tenant.switchTitle", { name: target.name })}
      description={t("tenant.switchHelp")}
      onSubmit={submit}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary" busy={busy}>
            {t("tenant.switchAction")}
          </Button>
        </>
      }
    >
      <TextInput label={t("auth.password")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required autoFocus />
      {needCode && (
        <TextInput label={t("auth.codeOrRecovery")} hint={t("auth.codeHint")} inputMode="text" autoComplete="one-time-code" value={code} onChange={(e) => setCode(e.target.value)} required autoFocus />
      )}
      {error !== null && <ErrorMessage error={error} />}
    </Dialog>
  );
}
