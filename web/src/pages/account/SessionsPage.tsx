import { useState } from "react";
import { useNavigate } from "react-router";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useSessions } from "../../api/hooks";
import type { Session } from "../../api/types";
import { useAuth, useMe } from "../../auth";
import { ConfirmDialog } from "../../components/Dialog";
import { DataTable } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { QueryList } from "../../components/Lists";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Card, PageHeader } from "../../components/ui";
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
        <QueryList query={sessions}>
          {(rows) => (
            <DataTable
              caption={t("sessions.title")}
              rows={rows}
              rowKey={(s) => s.id}
              columns={[
                {
                  id: "device",
                  header: t("sessions.device"),
                  cell: (s) => (
                    <>
                      <span className="cell-title">{describeUserAgent(s.user_agent) || t("sessions.unknownDevice")}</span>
                      {s.current && <Badge tone="success">{t("sessions.current")}</Badge>}
                    </>
                  ),
                },
                { id: "address", header: t("sessions.address"), className: "mono small", cell: (s) => s.ip || "—" },
                { id: "tenant", header: t("sessions.tenant"), cell: (s) => tenantName(s.tenant_id) },
                { id: "started", header: t("sessions.started"), cell: (s) => dateTime(s.created_at_unix_ms) },
                { id: "lastUsed", header: t("sessions.lastUsed"), cell: (s) => relative(s.last_used_at_unix_ms) },
              ]}
              actions={{
                header: t("common.actions"),
                cell: (s) => (
                  <Button size="sm" variant="ghost" onClick={() => revoke.mutate(s)} aria-label={s.current ? t("sessions.signOutHere") : t("sessions.revokeFor", { device: describeUserAgent(s.user_agent) || s.ip })}>
                    {s.current ? t("sessions.signOutHere") : t("sessions.revoke")}
                  </Button>
                ),
              }}
            />
          )}
        </QueryList>
        {revoke.error && <ErrorMessage error={revoke.error} compact />}
      </Card>
      <ConfirmDialog open={everywhere} onClose={() => setEverywhere(false)} onConfirm={() => all.mutate()} busy={all.isPending} title={t("sessions.everywhereTitle")} confirmLabel={t("sessions.everywhere")}>
        <p>{t("sessions.everywhereExplain")}</p>
        {all.error && <ErrorMessage error={all.error} />}
      </ConfirmDialog>
    </div>
  );
}
