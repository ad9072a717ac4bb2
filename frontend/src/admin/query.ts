export interface UserFilters {
  q: string;
  role: "" | "user" | "admin";
  banned: "" | "true" | "false";
}

export function userFiltersFromSearch(search: string): UserFilters {
  const p = new URLSearchParams(search);
  const role = p.get("role");
  const banned = p.get("banned");
  return {
    q: p.get("q") ?? "",
    role: role === "user" || role === "admin" ? role : "",
    banned: banned === "true" || banned === "false" ? banned : "",
  };
}

function params(f: UserFilters): URLSearchParams {
  const p = new URLSearchParams();
  if (f.q.trim()) p.set("q", f.q.trim());
  if (f.role) p.set("role", f.role);
  if (f.banned) p.set("banned", f.banned);
  return p;
}

export function userFiltersToSearch(f: UserFilters): string {
  const s = params(f).toString();
  return s ? `?${s}` : "";
}

export function adminUsersPath(f: UserFilters, limit = 50): string {
  const p = params(f);
  p.set("limit", String(limit));
  return `/api/admin/users?${p.toString()}`;
}

export function auditPath(search: string, limit = 50): string {
  const src = new URLSearchParams(search);
  const p = new URLSearchParams();
  for (const key of ["actor_id", "target_user_id"] as const) {
    const v = src.get(key);
    if (v) p.set(key, v);
  }
  p.set("limit", String(limit));
  return `/api/admin/audit?${p.toString()}`;
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
