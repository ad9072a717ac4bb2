/**
 * Schema-driven fuzzing (issue #7). Every operation in /openapi.json gets
 * requests generated from its own parameter and body schemas — valid,
 * boundary and hostile values — sent as a normal user, an admin, nobody, and
 * with forged or odd credentials. Invariants, checked on every response:
 *
 * - never a 5xx; every error is problem+json with the required fields;
 * - every 2xx JSON body matches the response schema the document declares;
 * - every status is one the operation declares;
 * - no credential but a real one gets a 2xx, and a non-admin never passes /api/admin;
 * - nothing a victim user owns changes, and Object.prototype is never polluted.
 *
 * FUZZ_RUNS sets the number of generated requests (default 2,400, the CI
 * slice); FUZZ_SEED the seed (fixed by default, so a failure replays).
 */
import assert from "node:assert/strict";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Ajv, { type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import fc from "fast-check";
import { errorCodes } from "../src/http/errors.ts";
import { createUser, ORIGIN, promote, signUp, startApp, type TestApp, type TestUser, tokenFor, uniqueEmail } from "./helpers.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 2400);
const SEED = Number(process.env.FUZZ_SEED ?? 7_2026);

type Schema = { [key: string]: unknown };
interface Parameter {
  name: string;
  in: "query" | "path" | "header";
  required?: boolean;
  schema: Schema;
}
interface Operation {
  method: string;
  path: string;
  operationId: string;
  parameters: Parameter[];
  body: Schema | null;
  responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
  /** From `security`: absent is the document-wide bearer JWT, [] is public, anything else a Better Auth session. */
  security: "bearer" | "session" | "public";
}

/** Who sends a request: user and admin hold real JWTs, session and cookie real Better Auth sessions (carol's); none and odd nothing valid. */
type Identity = "user" | "admin" | "session" | "cookie" | "none" | "odd";

interface FuzzRequest {
  who: Identity;
  oddAuth?: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
  /** Every path parameter is cleanly encoded and short: the router must reach the operation. */
  routable: boolean;
}

let t: TestApp;
let user: TestUser;
let admin: TestUser;
let victim: TestUser;
let carol: TestUser & { cookie: string };
let ops: Operation[] = [];
let components: Record<string, Schema> = {};
let sent = 0;
const victimTaskIds: string[] = [];
const ownTaskIds: string[] = [];
const fodderIds: string[] = [];
const prototypeKeys = Object.getOwnPropertyNames(Object.prototype).sort().join(",");

const ajv = addFormats.default(new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: true }));
const validators = new Map<string, ValidateFunction>();

// ---------------------------------------------------------------- the document

/** Inlines `#/components/schemas/...` references (the document has no cycles). */
function deref(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(deref);
  if (!schema || typeof schema !== "object") return schema;
  const ref = (schema as Schema).$ref;
  if (typeof ref === "string") {
    const name = ref.replace("#/components/schemas/", "");
    const target = components[name];
    assert.ok(target, `unresolvable $ref ${ref}`);
    return deref(target);
  }
  return Object.fromEntries(Object.entries(schema).map(([k, v]) => [k, deref(v)]));
}

function validatorFor(key: string, schema: Schema): ValidateFunction {
  let v = validators.get(key);
  if (!v) {
    v = ajv.compile(deref(schema) as Schema);
    validators.set(key, v);
  }
  return v;
}

function operationsOf(doc: {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: { schemas: Record<string, Schema> };
}): Operation[] {
  components = doc.components.schemas;
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(methods)) {
      const op = raw as {
        operationId: string;
        parameters?: Parameter[];
        requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
        responses: Operation["responses"];
        security?: unknown[];
      };
      const security = op.security === undefined ? "bearer" : op.security.length === 0 ? "public" : "session";
      const bodySchema = op.requestBody?.content["application/json"]?.schema;
      out.push({
        method: method.toUpperCase(),
        path,
        operationId: op.operationId,
        parameters: (op.parameters ?? []).map((p) => ({ ...p, schema: deref(p.schema) as Schema })),
        body: bodySchema ? (deref(bodySchema) as Schema) : null,
        responses: op.responses,
        security,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------- value pools

const hostileStrings = [
  "",
  " ",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\udbff\udfff",
  "😀",
  "👨‍👩‍👧‍👦",
  "\u202etxt.exe",
  "\u200f\u200e\u061c",
  "\u200b",
  "\ufeff",
  "\uffff",
  "e\u0301",
  "İı",
  "ß",
  "Ａｂｃ",
  "%",
  "%%%%",
  "_",
  "\\",
  "\\%_",
  "'",
  '"',
  "' OR 1=1 --",
  "'); DROP TABLE tasks; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a Log4Shell probe, literal on purpose
  "${jndi:ldap://127.0.0.1/x}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "null",
  "undefined",
  "NaN",
  "-0",
  "1e309",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "(a+)+$",
  ".*",
  "[",
  "\\d+",
  "^$",
  "\r\n",
  "\t",
  "a".repeat(200),
  "a".repeat(201),
  "x".repeat(255),
  "x".repeat(256),
  "😀".repeat(255),
  "😀".repeat(256),
  "y".repeat(10_000),
  "y".repeat(10_001),
  "z".repeat(70_000),
];

const hostileValues: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  [],
  {},
  [[]],
  [null],
  { a: 1 },
  ["a", 1, null],
  { __proto__: null, x: 1 },
  "",
];

const oddDates = [
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00Z",
  "0001-01-01T00:00:00+14:00",
  "9999-12-31T23:59:59.999Z",
  "9999-12-31T23:59:59-14:00",
  "1970-01-01T00:00:00Z",
  "2038-01-19T03:14:08Z",
  "2024-02-29T12:00:00+14:00",
  "2024-02-29T12:00:00-12:00",
  "2024-01-01t00:00:00z",
  "2024-06-01T12:00:00.123456789Z",
  "2024-02-30T00:00:00Z",
  "2024-13-01T00:00:00Z",
  "2024-01-01T24:00:00Z",
  "2016-12-31T23:59:60Z",
  "2024-01-01",
  "2024-01-01T00:00:00",
  "+275760-09-13T00:00:00Z",
  "now",
  "1e10",
];

const oddIds = [
  "",
  " ",
  ".",
  "..",
  "%00",
  "%zz",
  "%",
  "%ED%A0%80",
  "%2e%2e",
  "%2F",
  "null",
  "undefined",
  "0",
  "-1",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "01a21a4c-8f62-7fd6-81c6-6ee18270f73",
  "01a21a4c-8f62-7fd6-81c6-6ee18270f7377",
  "{00000000-0000-0000-0000-000000000000}",
  "__proto__",
  "constructor",
  "' OR '1'='1",
  "😀",
  "a".repeat(199),
  "a".repeat(200),
  "a".repeat(201),
  "a".repeat(300),
];

const oddContentTypes = [
  "application/json; charset=utf-8",
  "APPLICATION/JSON",
  "application/json; charset=utf-16",
  "application/json;;;",
  "application/json, text/plain",
  "application/vnd.api+json",
  "application/merge-patch+json",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "text/plain",
  "text/json",
  "application/xml",
  "*/*",
  "",
];

const oddBodies: (string | Buffer)[] = [
  "",
  "{",
  "{}",
  "[]",
  "null",
  "0",
  '"x"',
  "\ufeff{}",
  '{"title":"x",}',
  '{"title":"x"}{"title":"y"}',
  '{"title":"\\ud800"}',
  "{'title':'x'}",
  `{"title":${"[".repeat(5000)}${"]".repeat(5000)}}`,
  `${"{".repeat(3000)}`,
  Buffer.from([0xff, 0xfe, 0x00, 0x7b]),
  Buffer.from('{"title":"\xc0\xaf"}', "latin1"),
  `{"title":"${"a".repeat(70_000)}"}`,
];

const extraKeys = [
  "__proto__",
  "constructor",
  "prototype",
  "id",
  "user_id",
  "userId",
  "role",
  "banned",
  "email",
  "created_at",
  "updated_at",
  "version",
  "password",
  "emailVerified",
  "",
  "title ",
  "TITLE",
];

// ---------------------------------------------------------------- generators

const hostileString = fc.constantFrom(...hostileStrings);
const anyString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 20 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  hostileString,
);

function textOf(min: number, max: number): fc.Arbitrary<string> {
  const cap = Math.min(max, 60);
  return fc.oneof(
    { weight: 4, arbitrary: fc.string({ minLength: Math.max(min, 1), maxLength: Math.max(cap, 1) }) },
    { weight: 2, arbitrary: fc.string({ unit: "grapheme", minLength: Math.max(min, 1), maxLength: Math.max(cap, 1) }) },
    { weight: 1, arbitrary: fc.constantFrom(`x${"y".repeat(Math.max(0, max - 1))}`, "😀".repeat(Math.max(1, max))) },
  );
}

const dateTime = fc.oneof(
  fc.date({ min: new Date("1970-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .tuple(
      fc.date({ min: new Date("2000-01-01"), max: new Date("2099-01-01"), noInvalidDate: true }),
      fc.constantFrom("+05:30", "-08:00", "+14:00", "-12:00", "+00:00"),
    )
    .map(([d, offset]) => d.toISOString().replace(/\.\d{3}Z$/, offset)),
);

/** Values the schema allows. */
function valid(s: Schema, hint = ""): fc.Arbitrary<unknown> {
  if (Array.isArray(s.anyOf)) return fc.oneof(...(s.anyOf as Schema[]).map((b) => valid(b, hint)));
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  if ("const" in s) return fc.constant(s.const);
  switch (s.type) {
    case "string": {
      if (s.format === "date-time") return dateTime;
      if (s.format === "email") return fc.oneof(fc.constantFrom(victim.email, user.email, carol.email), fc.emailAddress());
      if (s.format === "uuid") return fc.oneof(fc.constantFrom(...ownTaskIds.slice(-5), ...victimTaskIds), fc.uuid());
      if (typeof s.pattern === "string" && s.pattern.includes("none|low")) {
        return fc.uniqueArray(fc.constantFrom("none", "low", "medium", "high"), { minLength: 1, maxLength: 4 }).map((a) => a.join(","));
      }
      if (hint === "password" || hint === "currentPassword" || hint === "newPassword") {
        return fc.oneof(fc.constant(carol.password), textOf(8, 128));
      }
      if (hint === "token") return fc.constantFrom(victim.sessionToken, carol.sessionToken, "x");
      return textOf(Number(s.minLength ?? 0), Number(s.maxLength ?? 100));
    }
    case "integer":
    case "number":
      return fc.integer({ min: Number(s.minimum ?? -1000), max: Number(s.maximum ?? 1000) });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(valid((s.items as Schema) ?? {}, hint), { maxLength: Math.min(Number(s.maxItems ?? 5), 5) });
    case "object":
      return objectOf(s, "valid").map((entries) => Object.fromEntries(entries));
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/** Edges of what the schema allows, and just past them. */
function boundary(s: Schema, hint = ""): fc.Arbitrary<unknown> {
  if (Array.isArray(s.anyOf)) return fc.oneof(...(s.anyOf as Schema[]).map((b) => boundary(b, hint)));
  switch (s.type) {
    case "string": {
      if (s.format === "date-time") return fc.constantFrom(...oddDates);
      if (s.format === "email") {
        return fc.constantFrom(victim.email.toUpperCase(), ` ${victim.email}`, "a@b", "@b.c", "a b@c.d", `${"x".repeat(250)}@e.com`);
      }
      const min = Number(s.minLength ?? 0);
      const max = s.maxLength === undefined ? 300 : Number(s.maxLength);
      const lengths = [Math.max(0, min - 1), min, max, max + 1];
      return fc.constantFrom(...lengths.flatMap((n) => ["a".repeat(n), "😀".repeat(n), ` ${"b".repeat(Math.max(0, n - 2))} `]));
    }
    case "integer":
    case "number": {
      const min = Number(s.minimum ?? 0);
      const max = Number(s.maximum ?? 1000);
      return fc.constantFrom(
        min - 1,
        min,
        max,
        max + 1,
        0,
        -1,
        1.5,
        2 ** 31,
        2 ** 53,
        -(2 ** 53),
        "1e2",
        "0x10",
        " 5",
        "5 ",
        "+5",
        "05",
        "",
      );
    }
    case "boolean":
      return fc.constantFrom("true", "false", "1", "0", "TRUE", "yes", "");
    case "array": {
      const items = (s.items as Schema) ?? {};
      const max = Number(s.maxItems ?? 5);
      return fc.oneof(
        fc.array(valid(items, hint), { minLength: max, maxLength: max }),
        fc.array(valid(items, hint), { minLength: max + 1, maxLength: max + 2 }),
        valid(items, hint).map((v) => [v, v]),
        fc.constant([]),
      );
    }
    case "object":
      return objectOf(s, "boundary").map((entries) => Object.fromEntries(entries));
    default:
      return fc.constant(null);
  }
}

/** Anything but what the schema allows: wrong types, hostile text, deep nesting. */
function invalid(s: Schema): fc.Arbitrary<unknown> {
  const nested = fc.integer({ min: 1, max: 4000 }).map((depth) => JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) as unknown);
  return fc.oneof(
    fc.constantFrom(...hostileValues),
    hostileString,
    nested,
    valid(s).map((v) => [v]),
    valid(s).map((v) => ({ value: v })),
  );
}

/** Each property absent, valid, at a boundary or invalid, plus keys that are not in the schema. */
function objectOf(s: Schema, mood: "valid" | "boundary" | "mixed"): fc.Arbitrary<[string, unknown][]> {
  const props = (s.properties ?? {}) as Record<string, Schema>;
  const required = new Set((s.required ?? []) as string[]);
  const fields = Object.entries(props).map(([name, schema]) => {
    const value =
      mood === "valid"
        ? valid(schema, name)
        : mood === "boundary"
          ? fc.oneof({ weight: 2, arbitrary: valid(schema, name) }, { weight: 1, arbitrary: boundary(schema, name) })
          : fc.oneof(
              { weight: 5, arbitrary: valid(schema, name) },
              { weight: 2, arbitrary: boundary(schema, name) },
              { weight: 2, arbitrary: invalid(schema) },
            );
    const presence = required.has(name) ? fc.constantFrom(true, true, true, true, true, true, mood !== "mixed") : fc.boolean();
    return fc.tuple(presence, value).map(([present, v]) => (present ? ([[name, v]] as [string, unknown][]) : []));
  });
  const extras =
    mood === "valid"
      ? fc.constant([] as [string, unknown][])
      : fc.oneof(
          { weight: 4, arbitrary: fc.constant([] as [string, unknown][]) },
          {
            weight: 1,
            arbitrary: fc.array(fc.tuple(fc.constantFrom(...extraKeys), fc.oneof(anyString, fc.constantFrom(...hostileValues))), {
              maxLength: 3,
            }),
          },
          {
            weight: 1,
            arbitrary: fc.constant([
              ["__proto__", { role: "admin", polluted: true }],
              ["constructor", { prototype: { polluted: true } }],
            ] as [string, unknown][]),
          },
        );
  return fc.tuple(fc.tuple(...fields), extras).map(([chosen, extra]) => [...chosen.flat(), ...extra]);
}

/** JSON text from entries, so that a `__proto__` key is sent as an ordinary key. */
function jsonOf(entries: [string, unknown][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(",")}}`;
}

/** Percent-encodes text, including lone surrogates (as the WTF-8 bytes a sloppy client would send). */
function encodeLoose(text: string): string {
  let out = "";
  for (const ch of text) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      const c = ch.charCodeAt(0);
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    }
  }
  return out;
}

const queryText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

function queryPairsFor(p: Parameter): fc.Arbitrary<[string, string][]> {
  const isArray = p.schema.type === "array";
  const one = fc.oneof(
    { weight: 6, arbitrary: valid(p.schema, p.name) },
    { weight: 2, arbitrary: boundary(p.schema, p.name) },
    { weight: 2, arbitrary: invalid(p.schema) },
  );
  const values: fc.Arbitrary<string[]> = one.map((v) => (Array.isArray(v) && isArray ? v.map(queryText) : [queryText(v)]));
  const repeated = fc.array(valid(isArray ? (p.schema.items as Schema) : p.schema, p.name).map(queryText), { minLength: 2, maxLength: 3 });
  return fc
    .oneof({ weight: 4, arbitrary: fc.constant(null) }, { weight: 5, arbitrary: values }, { weight: 1, arbitrary: repeated })
    .map((vs) => (vs ? vs.map((v) => [p.name, encodeLoose(v)] as [string, string]) : []));
}

const oddQuery = fc.constantFrom<[string, string]>(
  ["__proto__", "x"],
  ["constructor", "x"],
  ["limit[]", "1"],
  ["q[a]", "1"],
  ["", "x"],
  ["%zz", "1"],
  ["q", "%zz"],
  ["q", "%"],
  ["q", "%ED%A0%80"],
  ["q", "%00"],
  ["q", "a+b"],
  ["limit", "%2050"],
  ["cursor", "eyJ9"],
  [
    "cursor",
    Buffer.from(JSON.stringify(["-created_at", "1970-01-01T00:00:00.000Z", "00000000-0000-0000-0000-000000000000"])).toString("base64url"),
  ],
  ["cursor", Buffer.from(JSON.stringify(["users", "1970-01-01T00:00:00.000Z", "x'--"])).toString("base64url")],
  ["foo", "bar"],
);

function pathValueFor(op: Operation): fc.Arbitrary<{ text: string; clean: boolean }> {
  // "." and ".." are path segments however they are spelled: URL normalization removes them before any router sees them.
  const encoded = (ids: fc.Arbitrary<string>) =>
    ids.map((id) => ({ text: encodeLoose(id), clean: id.length > 0 && id.length <= 200 && id !== "." && id !== ".." }));
  const raw = fc.constantFrom(...oddIds).map((id) => ({ text: id, clean: false }));
  if (op.path.startsWith("/api/admin/users/")) {
    const writes = op.method !== "GET";
    // Admin writes aim at disposable users (and the admin itself), never at the victim or the fuzzing user.
    const targets = writes ? [admin.id, ...fodderIds] : [admin.id, user.id, victim.id, ...fodderIds];
    return fc.oneof(
      { weight: 6, arbitrary: encoded(fc.constantFrom(...targets)) },
      { weight: 2, arbitrary: encoded(fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }))) },
      { weight: 1, arbitrary: encoded(fc.constantFrom(...oddIds.filter(Boolean))) },
      { weight: 1, arbitrary: raw },
    );
  }
  const own = fc.constantFrom(...(ownTaskIds.length > 0 ? ownTaskIds.slice(-20) : victimTaskIds));
  return fc.oneof(
    { weight: 6, arbitrary: encoded(own) },
    { weight: 1, arbitrary: encoded(own.map((id) => id.toUpperCase())) },
    { weight: 3, arbitrary: encoded(fc.constantFrom(...victimTaskIds)) },
    { weight: 2, arbitrary: encoded(fc.uuid()) },
    { weight: 1, arbitrary: encoded(fc.constantFrom(...oddIds.filter(Boolean))) },
    { weight: 1, arbitrary: raw },
  );
}

function headerValueFor(p: Parameter): fc.Arbitrary<string> {
  const latin1 = fc.string({
    unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)),
    maxLength: 40,
  });
  if (p.name === "if-match" || p.name === "if-none-match") {
    return fc.oneof(
      fc.constantFrom(
        '"1"',
        '"2"',
        '"1", "2"',
        "*",
        'W/"1"',
        '"0"',
        '"-1"',
        '"999999999"',
        '"9999999999"',
        '""',
        '"1',
        "1",
        ",,,",
        `"${"9".repeat(500)}"`,
      ),
      latin1,
    );
  }
  if (p.name === "idempotency-key") {
    return fc.oneof(fc.constantFrom("k1", "k2", "k3", "x".repeat(255), "x".repeat(256), " ", "é", "a b"), latin1);
  }
  return latin1;
}

const oddHeaders = fc.constantFrom<[string, string]>(
  ["x-request-id", "a".repeat(129)],
  ["x-request-id", "bad id"],
  ["x-request-id", "abc-123"],
  ["accept", "application/xml"],
  ["accept", "*/*;q=0"],
  ["x-http-method-override", "DELETE"],
  ["x-forwarded-for", "10.0.0.1, 127.0.0.1"],
  ["x-doable-client-ip", "1.2.3.4"],
  ["x-forwarded-host", "evil.example"],
  ["origin", "https://evil.example"],
  ["origin", "null"],
  ["cookie", "better-auth.session_token=garbage; __proto__=x"],
  ["accept-encoding", "gzip, br, zstd, *"],
  ["range", "bytes=0-1"],
  ["expect", "100-continue"],
);

function identities(op: Operation): fc.Arbitrary<Identity> {
  if (op.security === "session") {
    return fc.oneof(
      { weight: 6, arbitrary: fc.constant<Identity>("session") },
      { weight: 2, arbitrary: fc.constant<Identity>("cookie") },
      { weight: 1, arbitrary: fc.constant<Identity>("none") },
      { weight: 1, arbitrary: fc.constant<Identity>("odd") },
    );
  }
  if (op.security === "public") return fc.constantFrom<Identity>("none", "none", "none", "user", "odd");
  const adminRoute = op.path.startsWith("/api/admin");
  return fc.oneof(
    { weight: adminRoute ? 2 : 6, arbitrary: fc.constant<Identity>("user") },
    { weight: adminRoute ? 6 : 2, arbitrary: fc.constant<Identity>("admin") },
    { weight: 1, arbitrary: fc.constant<Identity>("none") },
    { weight: 1, arbitrary: fc.constant<Identity>("odd") },
  );
}

/** Forged, expired, mangled and misplaced credentials (none of them may get a 2xx on a protected route). */
function oddAuthorizations(op: Operation): string[] {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const claims = { sub: victim.id, role: "admin", iss: ORIGIN, aud: ORIGIN, iat: Math.floor(Date.now() / 1000), exp: 4_102_444_800 };
  const [h, , sig] = user.jwt.split(".");
  return [
    "Bearer",
    "Bearer ",
    "bearer",
    "Basic dXNlcjpwYXNzd29yZA==",
    `Bearer ${b64({ alg: "none", typ: "JWT" })}.${b64(claims)}.`,
    `Bearer ${b64({ alg: "none" })}.${b64(claims)}.${sig}`,
    `Bearer ${b64({ alg: "HS256", typ: "JWT" })}.${b64(claims)}.${sig}`,
    `Bearer ${h}.${b64(claims)}.${sig}`,
    `Bearer ${user.jwt}x`,
    `Bearer ${user.jwt} ${user.jwt}`,
    `Bearer ${user.jwt.split(".").slice(0, 2).join(".")}.`,
    // The victim's session token, its signature forged: a session route must not take it.
    `Bearer ${victim.sessionToken.split(".")[0]}.${"A".repeat(43)}=`,
    // A genuine session token is no JWT: the API routes must refuse it.
    ...(op.security === "bearer" ? [`Bearer ${victim.sessionToken}`] : []),
    `Bearer ${"a".repeat(9000)}`,
    "Bearer a.b.c",
    "Bearer ..",
    `Token ${user.jwt}`,
  ];
}

function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const query = op.parameters.filter((p) => p.in === "query");
  const headerParams = op.parameters.filter((p) => p.in === "header");
  const hasPathParam = op.path.includes("{");
  const body: fc.Arbitrary<{ payload?: string | Buffer; contentType?: string }> = op.body
    ? fc.oneof(
        { weight: 8, arbitrary: objectOf(op.body, "mixed").map((e) => ({ payload: jsonOf(e), contentType: "application/json" })) },
        { weight: 2, arbitrary: objectOf(op.body, "valid").map((e) => ({ payload: jsonOf(e), contentType: "application/json" })) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(objectOf(op.body, "valid"), fc.constantFrom(...oddContentTypes))
            .map(([e, contentType]) => ({ payload: jsonOf(e), contentType })),
        },
        { weight: 1, arbitrary: fc.constantFrom(...oddBodies).map((payload) => ({ payload, contentType: "application/json" })) },
        { weight: 1, arbitrary: fc.constant({}) },
      )
    : fc.oneof(
        { weight: 9, arbitrary: fc.constant({}) },
        { weight: 1, arbitrary: fc.constantFrom(...oddBodies).map((payload) => ({ payload, contentType: "application/json" })) },
        { weight: 1, arbitrary: fc.constant({ payload: "x=1", contentType: "text/plain" }) },
      );
  return fc
    .record({
      who: identities(op),
      odd: fc.constantFrom(...oddAuthorizations(op)),
      path: hasPathParam ? pathValueFor(op) : fc.constant({ text: "", clean: true }),
      query: fc.tuple(fc.tuple(...query.map(queryPairsFor)), fc.array(oddQuery, { maxLength: 1 }), fc.boolean()),
      headers: fc.tuple(
        ...headerParams.map((p) => fc.option(headerValueFor(p), { nil: undefined, freq: 2 }).map((v) => [p.name, v] as const)),
      ),
      extraHeaders: fc.array(oddHeaders, { maxLength: 2 }),
      body,
    })
    .map(({ who, odd, path, query: [pairs, oddPairs, shuffle], headers, extraHeaders, body: b }) => {
      const params = [...pairs.flat(), ...oddPairs];
      if (shuffle) params.reverse();
      const url = op.path.replace(/\{[^}]+\}/, path.text) + (params.length > 0 ? `?${params.map(([k, v]) => `${k}=${v}`).join("&")}` : "");
      const h: Record<string, string> = {};
      for (const [name, value] of headers) if (value !== undefined) h[name] = value;
      for (const [name, value] of extraHeaders) h[name] = value;
      if (b.contentType !== undefined) h["content-type"] = b.contentType;
      if (op.path.startsWith("/api/auth/") && !h.origin) h.origin = ORIGIN;
      return { who, oddAuth: odd, method: op.method, url, headers: h, payload: b.payload, routable: path.clean };
    });
}

// ---------------------------------------------------------------- sending and checking

function credentialsOf(r: FuzzRequest): Record<string, string> {
  switch (r.who) {
    case "user":
      return user.auth;
    case "admin":
      return admin.auth;
    case "session":
      return { authorization: `Bearer ${carol.sessionToken}` };
    case "cookie":
      return { cookie: carol.cookie };
    case "odd":
      return { authorization: r.oddAuth ?? "Bearer" };
    default:
      return {};
  }
}

const problemFields = ["type", "title", "status", "detail", "code", "request_id"];
const codeOf = new Map<number, string>(Object.entries(errorCodes).map(([code, status]) => [status, code]));

async function send(op: Operation, r: FuzzRequest) {
  const headers = { ...r.headers, ...credentialsOf(r) };
  // A cookie identity must still carry the caller's odd cookie header, if one was generated.
  if (r.who === "cookie" && r.headers.cookie) headers.cookie = `${r.headers.cookie}; ${carol.cookie}`;
  sent++;
  const res = await t.app.inject({ method: r.method as "GET", url: r.url, headers, payload: r.payload });
  const where = `${op.operationId} ${r.method} ${r.url.slice(0, 300)} as ${r.who}${r.who === "odd" ? ` (${r.oddAuth?.slice(0, 40)})` : ""} body=${String(r.payload ?? "").slice(0, 300)} headers=${JSON.stringify(r.headers).slice(0, 300)}`;
  const fail = (why: string): never => assert.fail(`${why}\n  request: ${where}\n  response: ${res.statusCode} ${res.body.slice(0, 500)}`);

  if (res.statusCode >= 500) fail("a 5xx");
  if (!res.headers["x-request-id"]) fail("no X-Request-Id");
  if (Object.getOwnPropertyNames(Object.prototype).sort().join(",") !== prototypeKeys) fail("Object.prototype was polluted");
  const type = String(res.headers["content-type"] ?? "");

  if (res.statusCode >= 400) {
    if (!type.startsWith("application/problem+json")) fail(`an error that is not problem+json (${type})`);
    let body: Record<string, unknown>;
    try {
      body = res.json() as Record<string, unknown>;
    } catch {
      return fail("a problem body that is not JSON");
    }
    for (const field of problemFields) if (!(field in body)) fail(`a problem without ${field}`);
    if (body.status !== res.statusCode) fail("problem.status differs from the HTTP status");
    if (codeOf.get(res.statusCode) !== body.code) fail(`problem.code ${String(body.code)} does not belong to ${res.statusCode}`);
    if (body.request_id !== res.headers["x-request-id"]) fail("problem.request_id differs from X-Request-Id");
    if (!validatorFor("Problem", { $ref: "#/components/schemas/Problem" })(body)) fail("a problem that does not match the Problem schema");
    if (res.statusCode === 401 && !/^Bearer/.test(String(res.headers["www-authenticate"]))) fail("a 401 without WWW-Authenticate: Bearer");
    if (/\bat .+\.(ts|js):\d+|node_modules|stack/i.test(String(body.detail))) fail("internals in a problem detail");
  }

  const declared = op.responses[String(res.statusCode)];
  const routingMiss = !r.routable && (res.statusCode === 404 || res.statusCode === 400);
  if (!declared && !routingMiss) fail(`status ${res.statusCode} is not declared for ${op.operationId}`);

  if (res.statusCode >= 200 && res.statusCode < 300) {
    const genuine =
      op.security === "public" ||
      (op.security === "bearer" && (r.who === "user" || r.who === "admin")) ||
      (op.security === "session" && (r.who === "session" || r.who === "cookie"));
    // Better Auth answers an anonymous get-session with null and an anonymous sign-out with success; nothing is revealed or changed.
    const harmless =
      (op.operationId === "getSession" && res.body === "null") || (op.operationId === "signOut" && res.body === '{"success":true}');
    if (!genuine && !harmless) fail("a 2xx without a genuine credential");
    if (op.path.startsWith("/api/admin") && r.who !== "admin") fail("a non-admin passed the admin gate");
    const content = declared?.content;
    if (!content) {
      if (res.body.length > 0) fail("a body on a response declared without content");
    } else if (content["application/json"]) {
      if (!type.startsWith("application/json")) fail(`a 2xx whose content type (${type}) is not the declared JSON`);
      const validate = validatorFor(`${op.operationId} ${res.statusCode}`, content["application/json"].schema);
      let body: unknown;
      try {
        body = res.json();
      } catch {
        return fail("a 2xx body that is not JSON");
      }
      if (!validate(body)) fail(`the body does not match the declared schema: ${JSON.stringify(validate.errors).slice(0, 600)}`);
    }
  }
  // Protected routes must answer a missing or forged credential with 401 (when the router reached them).
  if (r.routable && op.security === "bearer" && (r.who === "none" || r.who === "odd") && res.statusCode !== 401) fail("not a 401");
  if (r.routable && op.path.startsWith("/api/admin") && r.who === "user" && res.statusCode !== 403) fail("a non-admin did not get 403");
  return res;
}

let tokensIssuedAt = Date.now();

/** Keeps the fuzzing identities usable: JWTs expire after 15 minutes, an admin may have demoted itself, a session may have been signed out. */
async function afterRequest(op: Operation, r: FuzzRequest, status: number): Promise<void> {
  if (Date.now() - tokensIssuedAt > 5 * 60_000) {
    for (const u of [user, admin]) {
      u.jwt = await tokenFor(t.app, u.sessionToken);
      u.auth = { authorization: `Bearer ${u.jwt}` };
    }
    tokensIssuedAt = Date.now();
  }
  if (op.path.startsWith("/api/admin/users/{id}") && op.method !== "GET" && r.who === "admin") {
    await t.app.ctx.db.query(`UPDATE "user" SET role = 'admin', banned = false, "banReason" = NULL, "banExpires" = NULL WHERE id = $1`, [
      admin.id,
    ]);
  }
  if (op.operationId === "changePassword" && status === 200)
    carol.password = (JSON.parse(String(r.payload)) as { newPassword: string }).newPassword;
  if (op.security === "session" && status === 200 && /sign-out|revoke|change-password/.test(op.path)) await renewCarol();
}

/**
 * Gives carol two fresh sessions (one used as a bearer token, one as the
 * cookie). Rows are written directly and the cookie signed as Better Auth signs
 * it: signing in each time would spend most of the run in scrypt.
 */
async function renewCarol(): Promise<void> {
  const token = async () => {
    const value = randomBytes(24).toString("base64url");
    await t.app.ctx.db.query(
      `INSERT INTO session (id, token, "userId", "expiresAt", "ipAddress", "userAgent") VALUES ($1, $2, $3, now() + interval '1 day', '127.0.0.1', 'fuzz')`,
      [randomUUID(), value, carol.id],
    );
    return value;
  };
  carol.sessionToken = await token();
  const cookieToken = await token();
  const signature = createHmac("sha256", t.app.ctx.config.authSecret).update(cookieToken).digest("base64");
  carol.cookie = `better-auth.session_token=${encodeURIComponent(`${cookieToken}.${signature}`)}`;
}

// ---------------------------------------------------------------- the victim

async function snapshotVictim(): Promise<string> {
  const db = t.app.ctx.db;
  const one = async (sql: string) => JSON.stringify((await db.query<{ j: unknown }>(sql, [victim.id]))[0]?.j ?? null);
  return [
    await one(`SELECT row_to_json(u) AS j FROM "user" u WHERE id = $1`),
    await one('SELECT json_agg(a ORDER BY id) AS j FROM account a WHERE "userId" = $1'),
    await one('SELECT json_agg(s ORDER BY id) AS j FROM session s WHERE "userId" = $1'),
    await one("SELECT json_agg(x ORDER BY id) AS j FROM tasks x WHERE user_id = $1"),
    await one("SELECT json_agg(k ORDER BY key) AS j FROM idempotency_keys k WHERE user_id = $1"),
    await one("SELECT json_agg(r) AS j FROM token_revocations r WHERE user_id = $1"),
  ].join("\n");
}

let victimBefore = "";

before(async () => {
  t = await startApp({ LOG_LEVEL: "silent" });
  // The factory's password, which no generator knows (they know carol's): a fuzzed sign-in must not become the victim.
  victim = await createUser(t.app, { email: uniqueEmail("victim") });
  user = await createUser(t.app);
  admin = await promote(t.app, await createUser(t.app, { email: uniqueEmail("admin") }));
  const c = await signUp(t.app, { email: uniqueEmail("carol"), password: "carol's password" });
  carol = { ...c, cookie: "" };
  await renewCarol();
  for (const headers of [{ authorization: `Bearer ${carol.sessionToken}` }, { cookie: carol.cookie }]) {
    const res = await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers });
    assert.equal((res.json() as { user?: { id: string } } | null)?.user?.id, carol.id, "carol's sessions work");
  }
  for (let i = 0; i < 3; i++) fodderIds.push((await createUser(t.app, { email: uniqueEmail("fodder") })).id);
  for (const payload of [
    { title: "victim's secret plan", description: "do not touch", tags: ["private"], priority: "high", due_at: "2030-01-01T00:00:00Z" },
    { title: "victim's done task", completed: true },
    { title: "victim's third task" },
  ]) {
    const res = await t.app.inject({ method: "POST", url: "/api/tasks", headers: victim.auth, payload });
    assert.equal(res.statusCode, 201);
    victimTaskIds.push((res.json() as { id: string }).id);
  }
  for (let i = 0; i < 5; i++) {
    const res = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      headers: user.auth,
      payload: { title: `own ${i}`, tags: ["a", "b"] },
    });
    ownTaskIds.push((res.json() as { id: string }).id);
  }
  const doc = await t.app.inject({ method: "GET", url: "/openapi.json" });
  ops = operationsOf(doc.json());
  victimBefore = await snapshotVictim();
});
after(() => t?.close());

describe("schema-driven fuzzing", () => {
  test("the document lists the operations to fuzz", () => {
    assert.ok(ops.length >= 25, `only ${ops.length} operations`);
  });

  // One test per operation, created once the document is known: node:test runs
  // them in order after `before`, so the list is built lazily inside one test.
  test("every operation holds the invariants", async (tc) => {
    const perOp = Math.max(10, Math.ceil(RUNS / ops.length));
    for (const [i, op] of ops.entries()) {
      await tc.test(`${op.method} ${op.path} (${op.operationId})`, async () => {
        await fc.assert(
          fc.asyncProperty(requestFor(op), async (r) => {
            const res = await send(op, r);
            if (op.operationId === "createTask" && res.statusCode === 201) ownTaskIds.push((res.json() as { id: string }).id);
            if (ownTaskIds.length > 200) ownTaskIds.splice(5, ownTaskIds.length - 100);
            await afterRequest(op, r, res.statusCode);
          }),
          { seed: SEED + i, numRuns: perOp, includeErrorInReport: true },
        );
        assert.equal(await snapshotVictim(), victimBefore, `${op.operationId} changed something the victim owns`);
      });
    }
  });

  test(`sent at least ${RUNS} requests`, () => {
    assert.ok(sent >= RUNS, `sent ${sent}`);
    process.stdout.write(`fuzz: ${sent} requests, seed ${SEED}\n`);
  });
});

/** What the fuzzing found, pinned down as plain tests (the fixes are in the report of issue #7). */
describe("regressions found by fuzzing", () => {
  test("a ban ending after 9999-12-31 UTC is a 422, not a five-digit year in the response", async () => {
    const target = await createUser(t.app);
    const late = await t.app.inject({
      method: "PATCH",
      url: `/api/admin/users/${target.id}`,
      headers: admin.auth,
      payload: { banned: true, ban_expires_at: "9999-12-31T23:59:59-14:00" },
    });
    assert.equal(late.statusCode, 422, late.body);
    assert.deepEqual(
      (late.json() as { errors: { field: string }[] }).errors.map((e) => e.field),
      ["ban_expires_at"],
    );
    const last = await t.app.inject({
      method: "PATCH",
      url: `/api/admin/users/${target.id}`,
      headers: admin.auth,
      payload: { banned: true, ban_expires_at: "9999-12-31T23:59:59Z" },
    });
    assert.equal(last.statusCode, 200, last.body);
    assert.equal((last.json() as { ban_expires_at: string }).ban_expires_at, "9999-12-31T23:59:59.000Z");
  });

  test("dates PostgreSQL cannot store (year 0000) are a 422, never a 500", async () => {
    const create = await t.app.inject({
      method: "POST",
      url: "/api/tasks",
      headers: user.auth,
      payload: { title: "x", due_at: "0000-01-01T00:00:00Z" },
    });
    assert.equal(create.statusCode, 422, create.body);
    const list = await t.app.inject({ method: "GET", url: "/api/tasks?due_before=0000-01-01T00:00:00Z", headers: user.auth });
    assert.equal(list.statusCode, 422, list.body);
  });

  test("Better Auth's answers match the document: null for an anonymous session, an array of sessions, 415 for a form body", async () => {
    const op = (id: string) => ops.find((o) => o.operationId === id) as Operation;
    const anonymous = await t.app.inject({ method: "GET", url: "/api/auth/get-session" });
    assert.equal(anonymous.body, "null");
    assert.ok(validatorFor("getSession 200", op("getSession").responses["200"]?.content?.["application/json"]?.schema as Schema)(null));
    const sessions = await t.app.inject({
      method: "GET",
      url: "/api/auth/list-sessions",
      headers: { authorization: `Bearer ${carol.sessionToken}` },
    });
    assert.equal(sessions.statusCode, 200);
    assert.ok(Array.isArray(sessions.json()));
    assert.ok(
      validatorFor(
        "listSessions 200",
        op("listSessions").responses["200"]?.content?.["application/json"]?.schema as Schema,
      )(sessions.json()),
    );
    const form = await t.app.inject({
      method: "POST",
      url: "/api/auth/sign-in/email",
      headers: { origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
      payload: `email=${encodeURIComponent(victim.email)}&password=x`,
    });
    assert.equal(form.statusCode, 415);
    assert.ok(op("signIn").responses["415"], "signIn declares 415");
  });
});
