/**
 * SQL for a timestamp column as the API writes timestamps: RFC 3339 in UTC
 * with milliseconds (`2026-11-26T23:42:58.123Z`), formatted by PostgreSQL so
 * that rows can leave the database as finished JSON.
 */
export const isoUtc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** A LIKE pattern that matches `text` literally anywhere (its `%`, `_` and `\` escaped). */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}
