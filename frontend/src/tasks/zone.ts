/**
 * Dates in the user's time zone (GET /api/me's `timezone`, an IANA name), not the browser's:
 * a task due at 17:00 in Paris shows as 17:00 to a user whose zone is Paris, wherever the
 * browser is. All-day dates (`due_date`, "YYYY-MM-DD") float: they are that day in any zone.
 */

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, "0");

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    partsFormatters.set(timeZone, f);
  }
  return f;
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `timeZone` at the instant `ms`. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const out: Record<string, number> = {};
  for (const p of partsFormatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== "literal") out[p.type] = Number(p.value);
  }
  return {
    year: out.year ?? 0,
    month: out.month ?? 1,
    day: out.day ?? 1,
    hour: out.hour ?? 0,
    minute: out.minute ?? 0,
    second: out.second ?? 0,
  };
}

/** The zone's offset from UTC at the instant `ms`, in minutes (Paris in summer: 120). */
export function offsetMinutes(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(ms / 1000) * 1000) / 60_000);
}

/**
 * The instant at which the wall clock in `timeZone` shows this local time. In a gap (the hour
 * skipped when clocks go forward) it is the time after the gap; in an overlap, the first one.
 */
export function zonedTimeToMs(w: WallClock, timeZone: string): number {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  // The offsets a day either side: at most one change of offset lies between them.
  const before = offsetMinutes(asUtc - 86_400_000, timeZone);
  const after = offsetMinutes(asUtc + 86_400_000, timeZone);
  const valid = [before, after].map((o) => asUtc - o * 60_000).filter((ms, i) => offsetMinutes(ms, timeZone) === [before, after][i]);
  // Both (an overlap): the first. Neither (a gap): the offset before the gap, i.e. the time after it.
  return valid.length ? Math.min(...valid) : asUtc - before * 60_000;
}

/** RFC 3339 with the zone's offset at that instant, e.g. `2031-05-01T17:00:00+02:00`. */
export function toRfc3339InZone(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const off = offsetMinutes(ms, timeZone);
  const sign = off >= 0 ? "+" : "-";
  return (
    `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}` +
    `${sign}${pad(Math.trunc(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`
  );
}

/**
 * A `datetime-local` value (`YYYY-MM-DDTHH:mm[:ss]`), read as a time in `timeZone`, as RFC 3339.
 * Empty → null; malformed or impossible (2025-02-30) → undefined.
 */
export function zonedInputToRfc3339(value: string, timeZone: string): string | null | undefined {
  if (value.trim() === "") return null;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1).map((x) => Number(x ?? 0)) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const check = new Date(Date.UTC(year, month - 1, day));
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  return toRfc3339InZone(zonedTimeToMs({ year, month, day, hour, minute, second }, timeZone), timeZone);
}

/** An instant as the value of a `datetime-local` input showing the wall clock in `timeZone`. */
export function rfc3339ToZonedInput(iso: string | null | undefined, timeZone: string): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  const w = wallClock(ms, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}`;
}

/** "YYYY-MM-DD" of the day it is in `timeZone` at `ms`. */
export function dayIn(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

/** A valid calendar day "YYYY-MM-DD"? */
export function isDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const check = new Date(Date.UTC(y, mo - 1, d));
  return check.getUTCFullYear() === y && check.getUTCMonth() === mo - 1 && check.getUTCDate() === d;
}

/** An instant in `timeZone`, e.g. "1 May 2031, 17:00" (the locale's words and order). */
export function formatInZone(iso: string | null | undefined, timeZone: string, locale?: string): string {
  if (!iso) return "";
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone }).format(ms);
}

/** A floating day, e.g. "1 May 2031": the same in every zone. */
export function formatDay(day: string | null | undefined, locale?: string): string {
  if (!day || !isDay(day)) return "";
  const [y, m, d] = day.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(Date.UTC(y, m - 1, d));
}

/** True when an open task is past due: an instant that has passed, or a day before today in `timeZone`. */
export function isOverdueIn(
  task: { due_at: string | null; due_date?: string | null; completed: boolean },
  timeZone: string,
  now = Date.now(),
): boolean {
  if (task.completed) return false;
  if (task.due_at) {
    const t = Date.parse(task.due_at);
    return !Number.isNaN(t) && t < now;
  }
  return Boolean(task.due_date && task.due_date < dayIn(now, timeZone));
}

/** The browser's zone (the default for a new account), or UTC. */
export function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** Every zone the browser knows, as `Intl.supportedValuesOf('timeZone')` lists them, with UTC. */
export function supportedTimeZones(): string[] {
  const list = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return list.includes("UTC") ? list : ["UTC", ...list];
}
