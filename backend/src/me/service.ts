import type { Database } from "../db/client.ts";
import { unauthorized, validationFailed } from "../domain/errors.ts";
import * as queries from "./queries.ts";

/** IANA zone names as this runtime knows them, and "UTC" (which Intl lists as Etc/UTC's alias only). */
const zones = new Set([...Intl.supportedValuesOf("timeZone"), "UTC"]);

const badZone = () =>
  validationFailed([{ field: "timezone", message: "must be an IANA time zone name, e.g. Europe/Berlin or America/New_York" }]);

export async function getMe(db: Database, userId: string): Promise<string> {
  const json = await queries.meJson(db, userId);
  if (!json) throw unauthorized("Your account no longer exists.");
  return json;
}

export async function updateMe(db: Database, userId: string, input: { timezone: string }): Promise<string> {
  if (!zones.has(input.timezone)) throw badZone();
  let json: string | undefined;
  try {
    json = await queries.setTimezone(db, userId, input.timezone);
  } catch (err) {
    // A name this runtime knows but the database's time zone data does not.
    if ((err as { code?: string })?.code === "22023") throw badZone();
    if ((err as { code?: string })?.code === "23503") throw unauthorized("Your account no longer exists.");
    throw err;
  }
  if (!json) throw unauthorized("Your account no longer exists.");
  return json;
}
