import { validationFailed } from "./errors.ts";

/**
 * Keyset cursors: the sort, the last row's sort key and its id, as
 * base64url JSON. Opaque to clients and validated on the way back in; an
 * altered cursor is a 422, never a 500, and can only reach the caller's own
 * rows because ownership is in the WHERE clause, not in the cursor.
 */
export interface Cursor {
  sort: string;
  key: string | number;
  id: string;
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const isoMillis = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.key, cursor.id])).toString("base64url");
}

const bad = () => validationFailed([{ field: "cursor", message: "is not a cursor from this list; start again without it" }]);

/** `keyKind` says what the sort key must look like for the current sort. */
export function decodeCursor(
  raw: string,
  sort: string,
  keyKind: "timestamp" | "timestamp_or_infinity" | "int" | "text",
  idPattern: RegExp = uuid,
): Cursor {
  if (!/^[A-Za-z0-9_-]+$/.test(raw)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8"));
  } catch {
    throw bad();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw bad();
  const [s, key, id] = parsed as unknown[];
  if (s !== sort || typeof id !== "string" || !idPattern.test(id)) throw bad();
  const ok =
    keyKind === "int"
      ? Number.isInteger(key) && (key as number) >= 0 && (key as number) <= 3
      : keyKind === "text"
        ? typeof key === "string" && key.length <= 1024 && !key.includes("\u0000")
        : typeof key === "string" &&
          ((isoMillis.test(key) && !Number.isNaN(Date.parse(key))) || (keyKind === "timestamp_or_infinity" && key === "infinity"));
  if (!ok) throw bad();
  return { sort, key: key as string | number, id };
}
