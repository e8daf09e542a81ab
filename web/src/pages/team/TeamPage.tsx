import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import { keys, useApiKeys, useInvitations, useMembers, usePersonas } from "../../api/hooks";
import type { Action, ApiKey, CreatedApiKey, CreatedInvitation, Member, ResourceScope, Role } from "../../api/types";
import { ACTIONS } from "../../api/types";
import { useAuth, useMe } from "../../auth";
import { DataTable, type Column } from "../../components/DataTable";
import { QueryList } from "../../components/Lists";
import { ConfirmDialog, Dialog } from "../../components/Dialog";
import { ErrorMessage } from "../../components/ErrorMessage";
import { SecretField } from "../../components/CopyButton";
import { Checkbox, CheckboxGroup, Select, TextInput } from "../../components/form";
import { Tabs } from "../../components/Tabs";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Callout, Card, LoadingState, PageHeader } from "../../components/ui";
import { useI18n } from "../../i18n/I18nProvider";
import { fieldErrorsUnder } from "../../lib/errors";
import { assignableRoles, mayManageMember, personaScope } from "../../lib/permissions";
import { useDocumentTitle } from "../useDocumentTitle";

type TeamTab = "members" | "invitations" | "keys";

export function TeamPage() {
  const { t } = useI18n();
  useDocumentTitle(t("team.title"));
  const { can } = useAuth();
  const [tab, setTab] = useState<TeamTab>("members");
  const tabs: { id: TeamTab; label: string }[] = [{ id: "members", label: t("team.members") }];
  if (can("members.invite")) tabs.push({ id: "invitations", label: t("team.invitations") });
  if (can("api_keys.list")) tabs.push({ id: "keys", label: t("team.apiKeys") });
  return (
    <div className="page">
      <PageHeader title={t("team.title")} description={t("team.subtitle")} />
      {tabs.length > 1 ? (
        <Tabs label={t("team.title")} tabs={tabs} active={tab} onChange={setTab}>
          {tab === "members" && <MembersPanel />}
          {tab === "invitations" && <InvitationsPanel />}
          {tab === "keys" && <ApiKeysPanel />}
        </Tabs>
      ) : (
        <MembersPanel />
      )}
    </div>
  );
}

function ScopeText({ scopes }: { scopes: ResourceScope[] }) {
  const { t } = useI18n();
  const personas = usePersonas();
  const ids = personaScope(scopes);
  if (!ids) return <span className="muted">{t("team.allPersonas")}</span>;
  if (ids.length === 0) return <span>{t("team.noPersonas")}</span>;
  return <span>{ids.map((id) => personas.data?.find((p) => p.id === id)?.display_name ?? id).join(", ")}</span>;
}

function MembersPanel() {
  const { t, date } = useI18n();
  const me = useMe();
  const { can } = useAuth();
  const members = useMembers();
  const [editing, setEditing] = useState<Member | null>(null);
  const [removing, setRemoving] = useState<Member | null>(null);
  const queryClient = useQueryClient();
  const toast = useToast();
  const remove = useMutation({
    mutationFn: (m: Member) => api.delete(`/api/v1/members/${encodeURIComponent(m.user_id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.members });
      toast.success(t("team.removed"));
      setRemoving(null);
    },
  });
  const manage = can("members.manage");
  const nameOf = (m: Member) => m.display_name || m.email;
  const columns: Column<Member>[] = [
    {
      id: "member",
      header: t("team.member"),
      cell: (m) => (
        <>
          <span className="cell-title">{nameOf(m)}</span>
          <span className="cell-sub">
            {m.email}
            {m.user_id === me.user_id && ` · ${t("team.you")}`}
          </span>
        </>
      ),
    },
    {
      id: "role",
      header: t("team.role"),
      cell: (m) => (
        <>
          <Badge tone={m.role === "owner" ? "accent" : "neutral"}>{t(`role.${m.role}`)}</Badge>
          {m.disabled && <Badge tone="danger">{t("team.disabled")}</Badge>}
        </>
      ),
    },
    { id: "scope", header: t("team.scope"), cell: (m) => <ScopeText scopes={m.scopes} /> },
    { id: "twoFactor", header: t("team.twoFactor"), cell: (m) => (m.totp_enabled ? <Badge tone="success">{t("common.on")}</Badge> : <Badge tone={me.tenant.require_mfa ? "warning" : "neutral"}>{t("common.off")}</Badge>) },
    { id: "joined", header: t("team.joined"), cell: (m) => date(m.joined_at_unix_ms) },
  ];
  const memberActions = {
    header: t("common.actions"),
    cell: (m: Member) =>
      mayManageMember(me.role, m.role) && m.user_id !== me.user_id ? (
        <>
          <Button size="sm" variant="ghost" onClick={() => setEditing(m)} aria-label={t("team.editFor", { name: nameOf(m) })}>
            {t("common.edit")}
          </Button>
          <Button size="sm" variant="ghost" onClick={() => setRemoving(m)} aria-label={t("team.removeFor", { name: nameOf(m) })}>
            {t("team.remove")}
          </Button>
        </>
      ) : (
        <span className="muted small">{m.user_id === me.user_id ? t("team.notYourself") : t("team.higherRole")}</span>
      ),
  };
  if (members.isPending) return <LoadingState />;
  if (members.isError) return <ErrorMessage error={members.error} onRetry={() => void members.refetch()} />;
  return (
    <Card>
      <DataTable caption={t("team.members")} columns={columns} rows={members.data} rowKey={(m) => m.user_id} actions={manage ? memberActions : undefined} />
      {!manage && <p className="muted-note">{t("team.manageHint")}</p>}
      {editing && <MemberDialog member={editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog open={!!removing} onClose={() => setRemoving(null)} onConfirm={() => removing && remove.mutate(removing)} busy={remove.isPending} title={t("team.removeTitle", { name: removing?.display_name || removing?.email || "" })} confirmLabel={t("team.remove")}>
        <p>{t("team.removeExplain")}</p>
        {remove.error && <ErrorMessage error={remove.error} />}
      </ConfirmDialog>
    </Card>
  );
}

/** Role and persona scope, as the invitation and member forms both edit them. */
function RoleAndScope({ role, setRole, limited, setLimited, ids, setIds, error }: { role: Role; setRole: (r: Role) => void; limited: boolean; setLimited: (b: boolean) => void; ids: string[]; setIds: (ids: string[]) => void; error: unknown }) {
  const { t } = useI18n();
  const me = useMe();
  const personas = usePersonas();
  const fields = fieldErrorsUnder(error);
  return (
    <>
      <Select label={t("team.role")} hint={t(`role.${role}.help`)} value={role} onChange={(e) => setRole(e.target.value as Role)} options={assignableRoles(me.role).map((r) => ({ value: r, label: t(`role.${r}`) }))} error={fields.get("role")} />
      <Checkbox label={t("team.limitScope")} hint={t("team.limitScopeHint")} checked={limited} onChange={setLimited} />
      {limited && (
        <CheckboxGroup<string> legend={t("team.scopePersonas")} options={(personas.data ?? []).map((p) => ({ value: p.id, label: p.display_name }))} value={ids} onChange={setIds} error={fields.get("scopes")} />
      )}
    </>
  );
}

function scopesFrom(limited: boolean, ids: string[]): ResourceScope[] {
  return limited ? [{ kind: "persona", ids }] : [];
}

function MemberDialog({ member, onClose }: { member: Member; onClose: () => void }) {
  const { t } = useI18n();
  const toast = useToast();
  const queryClient = useQueryClient();
  const initialIds = personaScope(member.scopes);
  const [role, setRole] = useState<Role>(member.role);
  const [limited, setLimited] = useState(initialIds !== null);
  const [ids, setIds] = useState<string[]>(initialIds ?? []);
  const save = useMutation({
    mutationFn: () => api.patch<Member>(`/api/v1/members/${encodeURIComponent(member.user_id)}`, { role, scopes: scopesFrom(limited, ids) }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.members });
      toast.success(t("team.updated"));
      onClose();
    },
  });
  return (
    <Dialog
      open
      onClose={onClose}
      title={t("team.editTitle", { name: member.display_name || member.email })}
      onSubmit={() => save.mutate()}
      footer={
        <>
          <Button onClick={onClose}>{t("common.cancel")}</Button>
          <Button type="submit" variant="primary" busy={save.isPending}>
            {t("common.save")}
          </Button>
        </>
      }
    >
      <RoleAndScope role={role} setRole={setRole} limited={limited} setLimited={setLimited} ids={ids} setIds={setIds} error={save.error} />
      {save.error && <ErrorMessage error={save.error} />}
    </Dialog>
  );
}

export function invitationLink(token: string, origin: string = window.location.origin): string {
  return `${origin}/invite#token=${encodeURIComponent(token)}`;
}

function InvitationsPanel() {
  const { t, date, relative } = useI18n();
  const invitations = useInvitations();
  const [inviting, setInviting] = useState(false);
  const queryClient = useQueryClient();
  const toast = useToast();
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/invitations/${encodeURIComponent(id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.invitations });
      toast.success(t("invitations.revoked"));
    },
  });
  return (
    <Card
      title={t("team.invitations")}
      id="invitations"
      actions={
        <Button variant="primary" icon="plus" onClick={() => setInviting(true)}>
          {t("invitations.new")}
        </Button>
      }
    >
      <QueryList query={invitations} empty={{ icon: "team", title: t("invitations.emptyTitle"), text: t("invitations.emptyText") }}>
        {(rows) => (
          <DataTable
            caption={t("team.invitations")}
            rows={rows}
            rowKey={(inv) => inv.id}
            columns={[
              { id: "email", header: t("auth.email"), cell: (inv) => inv.email },
              { id: "role", header: t("team.role"), cell: (inv) => t(`role.${inv.role}`) },
              { id: "scope", header: t("team.scope"), cell: (inv) => <ScopeText scopes={inv.scopes} /> },
              { id: "sent", header: t("invitations.sent"), cell: (inv) => date(inv.created_at_unix_ms) },
              { id: "expires", header: t("invitations.expires"), cell: (inv) => relative(inv.expires_at_unix_ms) },
            ]}
            actions={{
              header: t("common.actions"),
              cell: (inv) => (
                <Button size="sm" variant="ghost" onClick={() => revoke.mutate(inv.id)} aria-label={t("invitations.revokeFor", { email: inv.email })}>
                  {t("invitations.revoke")}
                </Button>
              ),
            }}
          />
        )}
      </QueryList>
      {revoke.error && <ErrorMessage error={revoke.error} compact />}
      {inviting && <InviteDialog onClose={() => setInviting(false)} />}
    </Card>
  );
}

/** The footer of a dialog that creates something shown only once (a link, a key): Cancel and create, then Done. */
function CreateOnceFooter({ created, busy, disabled, label, onClose }: { created: boolean; busy: boolean; disabled: boolean; label: string; onClose: () => void }) {
  const { t } = useI18n();
  if (created) {
    return (
      <Button type="submit" variant="primary">
        {t("common.done")}
      </Button>
    );
  }
  return (
    <>
      <Button onClick={onClose}>{t("common.cancel")}</Button>
      <Button type="submit" variant="primary" busy={busy} disabled={disabled}>
        {label}
      </Button>
    </>
  );
}

function InviteDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("chatter");
  const [limited, setLimited] = useState(false);
  const [ids, setIds] = useState<string[]>([]);
  const create = useMutation({
    mutationFn: () => api.post<CreatedInvitation>("/api/v1/invitations", { email: email.trim(), role, scopes: scopesFrom(limited, ids) }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.invitations }),
  });
  const fields = fieldErrorsUnder(create.error);
  return (
    <Dialog
      open
      onClose={onClose}
      title={t("invitations.new")}
      description={create.data ? undefined : t("invitations.help")}
      onSubmit={() => (create.data ? onClose() : create.mutate())}
      footer={<CreateOnceFooter created={!!create.data} busy={create.isPending} disabled={!email.includes("@")} label={t("invitations.create")} onClose={onClose} />}
    >
      {create.data ? (
        <div className="stack">
          <Callout tone="success" title={t("invitations.created", { email: create.data.email })}>
            {t("invitations.linkOnce")}
          </Callout>
          <SecretField label={t("invitations.link")} value={invitationLink(create.data.token)} />
        </div>
      ) : (
        <>
          <TextInput label={t("auth.email")} type="email" value={email} onChange={(e) => setEmail(e.target.value)} required autoFocus error={fields.get("email")} />
          <RoleAndScope role={role} setRole={setRole} limited={limited} setLimited={setLimited} ids={ids} setIds={setIds} error={create.error} />
          {create.error && <ErrorMessage error={create.error} />}
        </>
      )}
    </Dialog>
  );
}

function ApiKeysPanel() {
  const { t, date, relative } = useI18n();
  const { can } = useAuth();
  const apiKeys = useApiKeys();
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const queryClient = useQueryClient();
  const toast = useToast();
  const revoke = useMutation({
    mutationFn: (id: string) => api.delete(`/api/v1/api-keys/${encodeURIComponent(id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: keys.apiKeys });
      toast.success(t("keys.revoked"));
      setRevoking(null);
    },
  });
  const manage = can("api_keys.manage");
  const columns: Column<ApiKey>[] = [
    {
      id: "name",
      header: t("keys.name"),
      cell: (k) => (
        <>
          <span className="cell-title">{k.name}</span>
          <code className="cell-sub">{k.prefix}…</code>
        </>
      ),
    },
    { id: "actions", header: t("keys.actions"), className: "small", cell: (k) => k.actions.join(", ") },
    { id: "created", header: t("keys.created"), cell: (k) => date(k.created_at_unix_ms) },
    { id: "lastUsed", header: t("keys.lastUsed"), cell: (k) => (k.last_used_at_unix_ms ? relative(k.last_used_at_unix_ms) : t("keys.never")) },
    {
      id: "status",
      header: t("keys.status"),
      cell: (k) =>
        k.revoked_at_unix_ms ? (
          <Badge tone="danger">{t("keys.revokedBadge")}</Badge>
        ) : k.expires_at_unix_ms !== null && k.expires_at_unix_ms < Date.now() ? (
          <Badge tone="warning">{t("keys.expired")}</Badge>
        ) : (
          <Badge tone="success">{k.expires_at_unix_ms ? t("keys.validUntil", { when: date(k.expires_at_unix_ms) }) : t("keys.valid")}</Badge>
        ),
    },
  ];
  const keyActions = {
    header: t("common.actions"),
    cell: (k: ApiKey) =>
      !k.revoked_at_unix_ms && (
        <Button size="sm" variant="ghost" onClick={() => setRevoking(k)} aria-label={t("keys.revokeFor", { name: k.name })}>
          {t("keys.revoke")}
        </Button>
      ),
  };
  return (
    <Card
      title={t("team.apiKeys")}
      id="api-keys"
      description={t("keys.help")}
      actions={
        manage && (
          <Button variant="primary" icon="key" onClick={() => setCreating(true)}>
            {t("keys.new")}
          </Button>
        )
      }
    >
      <QueryList query={apiKeys} empty={{ icon: "key", title: t("keys.emptyTitle"), text: t("keys.emptyText") }}>
        {(rows) => <DataTable caption={t("team.apiKeys")} columns={columns} rows={rows} rowKey={(k) => k.id} actions={manage ? keyActions : undefined} />}
      </QueryList>
      {creating && <CreateKeyDialog onClose={() => setCreating(false)} />}
      <ConfirmDialog open={!!revoking} onClose={() => setRevoking(null)} onConfirm={() => revoking && revoke.mutate(revoking.id)} busy={revoke.isPending} title={t("keys.revokeTitle", { name: revoking?.name ?? "" })} confirmLabel={t("keys.revoke")}>
        <p>{t("keys.revokeExplain")}</p>
        {revoke.error && <ErrorMessage error={revoke.error} />}
      </ConfirmDialog>
    </Card>
  );
}

function CreateKeyDialog({ onClose }: { onClose: () => void }) {
  const { t, tp } = useI18n();
  const me = useMe();
  const queryClient = useQueryClient();
  const [name, setName] = useState("");
  const [days, setDays] = useState("90");
  const mine = ACTIONS.filter((a) => me.actions.includes(a));
  const [actions, setActions] = useState<Action[]>(mine.filter((a) => a.endsWith(".read")));
  const create = useMutation({
    mutationFn: () => api.post<CreatedApiKey>("/api/v1/api-keys", { name: name.trim(), actions, expires_at_unix_ms: Date.now() + Number(days) * 86_400_000 }),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: keys.apiKeys }),
  });
  const fields = fieldErrorsUnder(create.error);
  return (
    <Dialog
      open
      onClose={onClose}
      size="lg"
      title={t("keys.new")}
      onSubmit={() => (create.data ? onClose() : create.mutate())}
      footer={<CreateOnceFooter created={!!create.data} busy={create.isPending} disabled={!name.trim() || actions.length === 0} label={t("keys.create")} onClose={onClose} />}
    >
      {create.data ? (
        <div className="stack">
          <Callout tone="warning" title={t("keys.onceTitle")}>
            {t("keys.onceText")}
          </Callout>
          <SecretField label={t("keys.key")} value={create.data.key} />
        </div>
      ) : (
        <>
          <div className="form-grid">
            <TextInput label={t("keys.name")} hint={t("keys.nameHint")} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} required autoFocus error={fields.get("name")} />
            <Select
              label={t("keys.expiry")}
              value={days}
              onChange={(e) => setDays(e.target.value)}
              options={[
                { value: "30", label: tp("keys.days", 30) },
                { value: "90", label: tp("keys.days", 90) },
                { value: "365", label: tp("keys.days", 365) },
              ]}
            />
          </div>
          <CheckboxGroup<Action> legend={t("keys.actionsLegend")} options={mine.map((a) => ({ value: a, label: `${a} — ${t(`action.${a}`)}` }))} value={actions} onChange={setActions} error={fields.get("actions")} />
          {create.error && <ErrorMessage error={create.error} />}
        </>
      )}
    </Dialog>
  );
}
