import type { Action, Me, Role } from "../api/types";
import { ROLES } from "../api/types";

/** What /api/v1/me says the principal may do; the server still checks every call. */
export function can(me: Me | null | undefined, action: Action): boolean {
  return !!me && me.actions.includes(action);
}

const RANK: Record<Role, number> = { owner: 5, admin: 4, manager: 3, chatter: 2, viewer: 1 };

/**
 * The roles `actor` may grant (docs/authorization.md): nobody grants a role above their own, and
 * only an owner grants (or removes) the owner role.
 */
export function assignableRoles(actor: Role): Role[] {
  return ROLES.filter((role) => RANK[role] <= RANK[actor] && (role !== "owner" || actor === "owner"));
}

/** Whether `actor` may change a member who currently has `target` (an owner only by an owner). */
export function mayManageMember(actor: Role, target: Role): boolean {
  if (target === "owner") return actor === "owner";
  return RANK[target] <= RANK[actor];
}

/** The persona ids a set of scopes limits to, or null when not limited. */
export function personaScope(scopes: { kind: string; ids: string[] }[]): string[] | null {
  const scope = scopes.find((s) => s.kind === "persona");
  return scope ? scope.ids : null;
}
