import { infiniteQueryOptions, type QueryClient, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import {
  type AdminUser,
  type AdminUserUpdate,
  type AuditEntry,
  type operations,
  pathsApiAdminUsersGetParametersQueryRoleValues,
} from "../api/openapi";
import { allItems, cursorPaging, page } from "../api/pages";
import { taskKeys } from "../tasks/queries";

type UsersQuery = NonNullable<operations["adminListUsers"]["parameters"]["query"]>;
type AuditQuery = NonNullable<operations["adminAuditLog"]["parameters"]["query"]>;
export type Role = NonNullable<UsersQuery["role"]>;

/** The roles the users filter offers, as the API documents them. */
export const ROLES: readonly Role[] = pathsApiAdminUsersGetParametersQueryRoleValues;

export interface UserFilters {
  q: string;
  role: "" | Role;
  banned: "" | "true" | "false";
}

const isRole = (v: string | null): v is Role => v !== null && (ROLES as readonly string[]).includes(v);

export function userFiltersFromSearch(search: string): UserFilters {
  const p = new URLSearchParams(search);
  const role = p.get("role");
  const banned = p.get("banned");
  return {
    q: p.get("q") ?? "",
    role: isRole(role) ? role : "",
    banned: banned === "true" || banned === "false" ? banned : "",
  };
}

export function userFiltersToSearch(f: UserFilters): string {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.role) p.set("role", f.role);
  if (f.banned) p.set("banned", f.banned);
  const s = p.toString();
  return s ? `?${s}` : "";
}

/** The API query for these filters (one page of `limit`). */
export function usersQuery(f: UserFilters, limit = 50): UsersQuery {
  const query: UsersQuery = {};
  if (f.q.trim()) query.q = f.q.trim();
  if (f.role) query.role = f.role;
  if (f.banned) query.banned = f.banned === "true";
  query.limit = limit;
  return query;
}

/** The audit log's API query for the page's query string: the entries of one user, or all. */
export function auditQuery(search: string, limit = 50): AuditQuery {
  const src = new URLSearchParams(search);
  const query: AuditQuery = {};
  for (const key of ["actor_id", "target_user_id"] as const) {
    const v = src.get(key);
    if (v) query[key] = v;
  }
  query.limit = limit;
  return query;
}

/** Everything here is read through the admin gate: one prefix, so that an admin action refreshes it all. */
export const adminKeys = {
  all: ["admin"] as const,
  stats: ["admin", "stats"] as const,
  users: (query: UsersQuery) => ["admin", "users", "list", query] as const,
  user: (id: string) => ["admin", "users", "detail", id] as const,
  audit: (query: AuditQuery) => ["admin", "audit", query] as const,
};

export const statsQuery = queryOptions({
  queryKey: adminKeys.stats,
  queryFn: async ({ signal }) => (await ok(api.client.GET("/api/admin/stats", { signal }))).data,
});

export function userQuery(id: string) {
  return queryOptions({
    queryKey: adminKeys.user(id),
    queryFn: async ({ signal }) => (await ok(api.client.GET("/api/admin/users/{id}", { params: { path: { id } }, signal }))).data,
  });
}

export function usersListQuery(query: UsersQuery) {
  return infiniteQueryOptions({
    queryKey: adminKeys.users(query),
    queryFn: ({ pageParam, signal }) =>
      page(api.client.GET("/api/admin/users", { params: { query: pageParam ? { ...query, cursor: pageParam } : query }, signal })),
    ...cursorPaging,
    select: allItems<AdminUser>,
  });
}

export function auditLogQuery(query: AuditQuery) {
  return infiniteQueryOptions({
    queryKey: adminKeys.audit(query),
    queryFn: ({ pageParam, signal }) =>
      page(api.client.GET("/api/admin/audit", { params: { query: pageParam ? { ...query, cursor: pageParam } : query }, signal })),
    ...cursorPaging,
    select: allItems<AuditEntry>,
  });
}

/** After an admin action: every admin read but `except` is out of date (counts, lists, the audit log). */
function refreshAdmin(qc: QueryClient, except: readonly unknown[]) {
  const skip = JSON.stringify(except);
  void qc.invalidateQueries({ queryKey: adminKeys.all, predicate: (q) => JSON.stringify(q.queryKey) !== skip });
}

/** Changes a user's role or ban; the page shows the user as the server answered. */
export function useUpdateUser(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (patch: AdminUserUpdate) =>
      (await ok(api.client.PATCH("/api/admin/users/{id}", { params: { path: { id } }, body: patch }))).data,
    onSuccess: (user) => {
      qc.setQueryData(adminKeys.user(id), user);
      refreshAdmin(qc, adminKeys.user(id));
    },
  });
}

/** Deletes a user with all of their tasks. */
export function useDeleteUser(id: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => ok(api.client.DELETE("/api/admin/users/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      qc.removeQueries({ queryKey: adminKeys.user(id) });
      qc.removeQueries({ queryKey: taskKeys.lists({ kind: "user", userId: id }) });
      refreshAdmin(qc, adminKeys.user(id));
    },
  });
}

const SECRET_KEY = /pass(word)?|secret|token|hash|cookie|authorization|api[-_]?key|jwt/i;

const show = (v: unknown): string => (typeof v === "string" ? v : v === undefined ? "—" : JSON.stringify(v));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Nested objects as `a.b: value` lines. */
function flatten(obj: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(obj).flatMap(([k, v]) =>
    isRecord(v) && Object.keys(v).length ? flatten(v, `${prefix}${k}.`) : [`${prefix}${k}: ${show(v)}`],
  );
}

/**
 * Audit details as lines of text, with anything that looks like a secret masked.
 * `{ before, changes }` becomes `field: old → new`.
 */
export function describeDetails(details: unknown): string[] {
  if (details === null || details === undefined) return [];
  if (!isRecord(details)) return [show(details)];
  const masked = JSON.parse(JSON.stringify(details, (key, value: unknown) => (key && SECRET_KEY.test(key) ? "[hidden]" : value))) as Record<
    string,
    unknown
  >;
  const { before, changes, ...rest } = masked;
  const lines: string[] = [];
  if (isRecord(changes)) {
    const was = isRecord(before) ? before : {};
    for (const [k, v] of Object.entries(changes)) lines.push(k in was ? `${k}: ${show(was[k])} → ${show(v)}` : `${k}: ${show(v)}`);
  } else if (changes !== undefined) rest.changes = changes;
  if (before !== undefined && !isRecord(changes)) rest.before = before;
  return [...lines, ...flatten(rest)];
}
