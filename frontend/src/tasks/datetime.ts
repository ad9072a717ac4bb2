const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");

/**
 * RFC 3339 timestamp with the local offset of `date` (e.g. `2025-03-01T14:30:00-05:00`).
 * The offset is the one in force at that instant, so daylight saving is respected.
 */
export function toRfc3339Local(date: Date): string {
  const offsetMin = -date.getTimezoneOffset();
  const sign = offsetMin >= 0 ? "+" : "-";
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.trunc(Math.abs(offsetMin) / 60))}:${pad(Math.abs(offsetMin) % 60)}`
  );
}

/**
 * Converts the value of an `<input type="datetime-local">` (`YYYY-MM-DDTHH:mm[:ss]`,
 * in the user's time zone) into RFC 3339 with offset. Empty → null; malformed → undefined.
 */
export function localInputToRfc3339(value: string): string | null | undefined {
  if (value.trim() === "") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number];
  const date = new Date(y, mo - 1, d, h, mi, s);
  // Reject impossible dates such as 2025-02-30 that Date would silently roll over.
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return undefined;
  return toRfc3339Local(date);
}

/** An RFC 3339 timestamp as the value of an `<input type="datetime-local">`, in local time. */
export function rfc3339ToLocalInput(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** Human date and time in the user's locale and zone, e.g. "Mar 1, 2025, 2:30 PM". */
export function formatDateTime(iso: string | null | undefined, locale?: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function formatDate(iso: string | null | undefined, locale?: string): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium" }).format(date);
}

/** True when an open task's due time has passed. */
export function isOverdue(task: { due_at: string | null; completed: boolean }, now = Date.now()): boolean {
  if (!task.due_at || task.completed) return false;
  const t = Date.parse(task.due_at);
  return !Number.isNaN(t) && t < now;
}
