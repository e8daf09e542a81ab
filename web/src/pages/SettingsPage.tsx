import { useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { api } from "../api/client";
import type { TenantSecurity } from "../api/types";
import { useAuth, useMe } from "../auth";
import { ErrorMessage } from "../components/ErrorMessage";
import { Checkbox, TextInput } from "../components/form";
import { useToast } from "../components/Toasts";
import { Badge, Button, Callout, Card, DescriptionList, PageHeader } from "../components/ui";
import { LlmProvidersCard } from "../features/llm/LlmProvidersCard";
import { useI18n } from "../i18n/I18nProvider";
import { useDocumentTitle } from "./useDocumentTitle";

export function SettingsPage() {
  const { t } = useI18n();
  useDocumentTitle(t("settings.title"));
  const me = useMe();
  return (
    <div className="page page-narrow">
      <PageHeader title={t("settings.title")} description={t("settings.subtitle", { tenant: me.tenant.name })} />
      <TenantSecurityCard />
      <LlmProvidersCard />
    </div>
  );
}

function TenantSecurityCard() {
  const { t } = useI18n();
  const me = useMe();
  const { can, reload } = useAuth();
  const toast = useToast();
  const [require, setRequire] = useState(me.tenant.require_mfa);
  const [password, setPassword] = useState("");
  const save = useMutation({
    mutationFn: () => api.patch<TenantSecurity>("/api/v1/tenant", { require_mfa: require, password }),
    onSuccess: async () => {
      setPassword("");
      await reload();
      toast.success(require ? t("security.nowRequired") : t("security.nowOptional"));
    },
  });
  const manage = can("tenant.manage_security");
  const changed = require !== me.tenant.require_mfa;
  return (
    <Card title={t("security.title")} description={t("security.help")} id="tenant-security">
      {manage ? (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <Checkbox label={t("security.requireMfa")} hint={t("security.requireMfaHint")} checked={require} onChange={setRequire} />
          {require && !me.totp_enabled && <Callout tone="warning">{t("security.enableYoursFirst")}</Callout>}
          {changed && <TextInput label={t("security.confirmPassword")} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />}
          {save.error && <ErrorMessage error={save.error} />}
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={save.isPending} disabled={!changed || !password}>
              {t("common.save")}
            </Button>
          </div>
        </form>
      ) : (
        <>
          <DescriptionList items={[[t("security.requireMfa"), me.tenant.require_mfa ? <Badge tone="success">{t("common.yes")}</Badge> : <Badge>{t("common.no")}</Badge>]]} />
          <p className="muted-note">{t("security.ownerOnly")}</p>
        </>
      )}
    </Card>
  );
}
