import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useSessions } from "../../api/hooks";
import type { Session } from "../../api/types";
import { useAuth, useMe } from "../../auth";
import { ConfirmDialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Card, LoadingState, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { describeUserAgent } from "../../lib/format";
import { useDocumentTitle } from "../useDocumentTitle";

export function SessionsPage() {
  const { t, relative, dateTime } = useI18n();
  useDocumentTitle(t("sessions.title"));
  const me = useMe();
  const { signOut } = useAuth();
  const sessions = useSessions();
  const queryClient = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [everywhere, setEverywhere] = useState(false);
  const revoke = useMutation({
    mutationFn: (s: Session) => api.delete(`/api/v1/sessions/${encodeURIComponent(s.id)}`).then(() => s),
    onSuccess: async (s) => {
      if (s.current) {
        await signOut().catch(() => undefined);
        navigate("/signin", { replace: true });
        return;
      }
      void queryClient.invalidateQueries({ queryKey: keys.sessions });
      toast.success(t("sessions.revoked"));
    },
  });
  const all = useMutation({
    mutationFn: () => api.post<{ sessions_revoked: number }>("/api/v1/auth/logout-all"),
    onSuccess: async () => {
      await signOut().catch(() => undefined);
      toast.info(t("sessions.allEnded"));
      navigate("/signin", { replace: true });
    },
  });
  const tenantName = (id: string) => me.tenants.find((x) => x.id === id)?.name ?? id;
  return (
    <div className="page">
      <PageHeader
        title={t("sessions.title")}
        description={t("sessions.subtitle")}
        actions={
          <Button variant="danger" icon="logout" onClick={() => setEverywhere(true)}>
            {t("sessions.everywhere")}
          </Button>
        }
      />
      <Card>
        {sessions.isPending ? (
          <LoadingState />
        ) : sessions.isError ? (
          <ErrorMessage error={sessions.error} onRetry={() => void sessions.refetch()} />
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">{t("sessions.title")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("sessions.device")}</th>
                  <th scope="col">{t("sessions.address")}</th>
                  <th scope="col">{t("sessions.tenant")}</th>
                  <th scope="col">{t("sessions.started")}</th>
                  <th scope="col">{t("sessions.lastUsed")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("common.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {sessions.data.map((s) => (
                  <tr key={s.id}>
                    <th scope="row">
                      <span className="cell-title">{describeUserAgent(s.user_agent) || t("sessions.unknownDevice")}</span>
                      {s.current && <Badge tone="success">{t("sessions.current")}</Badge>}
                    </th>
                    <td className="mono small">{s.ip || "—"}</td>
                    <td>{tenantName(s.tenant_id)}</td>
                    <td>{dateTime(s.created_at_unix_ms)}</td>
                    <td>{relative(s.last_used_at_unix_ms)}</td>
                    <td className="cell-actions">
                      <Button size="sm" variant="ghost" onClick={() => revoke.mutate(s)} aria-label={s.current ? t("sessions.signOutHere") : t("sessions.revokeFor", { device: describeUserAgent(s.user_agent) || s.ip })}>
                        {s.current ? t("sessions.signOutHere") : t("sessions.revoke")}
                      </Button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {revoke.error && <ErrorMessage error={revoke.error} compact />}
      </Card>
      <ConfirmDialog open={everywhere} onClose={() => setEverywhere(false)} onConfirm={() => all.mutate()} busy={all.isPending} title={t("sessions.everywhereTitle")} confirmLabel={t("sessions.everywhere")}>
        <p>{t("sessions.everywhereExplain")}</p>
        {all.error && <ErrorMessage error={all.error} />}
      </ConfirmDialog>
    </div>
  );
}
