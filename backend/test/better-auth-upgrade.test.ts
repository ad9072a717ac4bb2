/**
 * Migration 0004 (issue 19) on an installation filled before it: Better Auth's
 * columns are renamed in place, and every account, password, session and JWT
 * signing key survives. Yesterday's app is rebuilt for the test as what it
 * was: Better Auth writing the snake_case columns of migrations 0000–0003
 * (mapped with Better Auth's own `fields` options) and Doable's old password
 * format. This file owns its database and users.
 */
import assert from "node:assert/strict";
import { randomBytes, scrypt } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import { betterAuth } from "better-auth";
import { admin, bearer, jwt } from "better-auth/plugins";
import type { DatabaseTarget } from "../src/config.ts";
import { connectDatabase } from "../src/db/client.ts";
import { migrate } from "../src/db/migrate.ts";
import { createPeerAuth, peerDatabase } from "./better-auth-peer.ts";
import { createTestDatabase, ORIGIN, signIn, startApp, type TestApp, tokenFor } from "./helpers.ts";

const SECRET = "upgrade-secret-upgrade-secret-upgrade-0123";
const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keyLength: number, options: object) => Promise<Buffer>;

/** Doable's password format before issue 19. */
async function legacyHash(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scryptAsync(password.normalize("NFKC"), salt, 64, { N: 16_384, r: 16, p: 1, maxmem: 128 * 16_384 * 16 * 2 });
  return `scrypt$16384$16$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
}

const at = (...names: string[]) => Object.fromEntries(names.map((n) => [n, n.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)]));

/** Doable's Better Auth as it was configured until migration 0004: the same plugins and claims, snake_case columns, the old hashes. */
function yesterdaysAuth(database: ReturnType<typeof peerDatabase>["database"]) {
  return betterAuth({
    baseURL: ORIGIN,
    basePath: "/api/auth",
    secret: SECRET,
    database,
    telemetry: { enabled: false },
    rateLimit: { enabled: false },
    logger: { disabled: true },
    user: { fields: at("emailVerified", "createdAt", "updatedAt") },
    session: { fields: at("expiresAt", "createdAt", "updatedAt", "ipAddress", "userAgent", "userId") },
    account: {
      fields: at(
        "accountId",
        "providerId",
        "userId",
        "accessToken",
        "refreshToken",
        "idToken",
        "accessTokenExpiresAt",
        "refreshTokenExpiresAt",
        "createdAt",
        "updatedAt",
      ),
    },
    verification: { fields: at("expiresAt", "createdAt", "updatedAt") },
    emailAndPassword: {
      enabled: true,
      password: { hash: legacyHash, verify: async () => false },
    },
    plugins: [
      jwt({
        schema: { jwks: { fields: at("publicKey", "privateKey", "createdAt", "expiresAt") } },
        jwks: { keyPairConfig: { alg: "EdDSA", crv: "Ed25519" } },
        jwt: {
          issuer: ORIGIN,
          audience: ORIGIN,
          expirationTime: "900s",
          definePayload: ({ user: u }) => ({ role: u.role === "admin" ? "admin" : "user" }),
        },
      }),
      bearer(),
      admin({ schema: { user: { fields: at("banReason", "banExpires") }, session: { fields: at("impersonatedBy") } } }),
    ],
  });
}

interface Before {
  users: Record<"ann" | "bob" | "cat" | "eve", { id: string; email: string; password: string; sessionToken: string }>;
  jwt: string;
  keyIds: string[];
  sessionIds: string[];
}

let t: TestApp;
let past: Before;
let dropDatabase: () => Promise<void> = async () => {};
let dataDir: string | null = null;

before(async () => {
  let target: DatabaseTarget;
  let databaseUrl: string;
  if (process.env.TEST_DATABASE_URL) {
    const database = await createTestDatabase();
    dropDatabase = database.drop;
    databaseUrl = database.url;
    target = { kind: "pg", url: database.url };
  } else {
    // The embedded database must outlive yesterday's connection: a directory, not memory.
    dataDir = mkdtempSync(path.join(tmpdir(), "doable-upgrade-"));
    databaseUrl = "embedded";
    target = { kind: "pglite", dir: path.join(dataDir, "pgdata") };
  }

  const db = await connectDatabase(target, { poolMax: 2, timeoutMs: 10_000 });
  try {
    assert.deepEqual(await migrate(db, { through: "0003_task_doc" }), [
      "0000_init",
      "0001_search_indexes",
      "0002_task_list_versions",
      "0003_task_doc",
    ]);
    const database = peerDatabase({ url: databaseUrl, db });
    try {
      const old = yesterdaysAuth(database.database);
      const users = {} as Before["users"];
      for (const name of ["ann", "bob", "cat", "eve"] as const) {
        const email = `${name}@example.com`;
        const password = `${name}'s old password`;
        const made = (await old.api.signUpEmail({ body: { email, password, name } })) as { token: string; user: { id: string } };
        users[name] = { id: made.user.id, email, password, sessionToken: made.token };
      }
      const { token } = await old.api.getToken({ headers: new Headers({ authorization: `Bearer ${users.ann.sessionToken}` }) });
      await db.query(`UPDATE "user" SET banned = true, ban_reason = 'spam' WHERE id = $1`, [users.cat.id]);
      await db.query(`INSERT INTO tasks (id, user_id, title) VALUES ('0193a000-0000-7000-8000-000000000001', $1, 'from before')`, [
        users.ann.id,
      ]);
      const keys = await db.query<{ id: string }>("SELECT id FROM jwks ORDER BY id");
      const sessions = await db.query<{ id: string }>("SELECT id FROM session ORDER BY id");
      const hashes = await db.query<{ password: string }>("SELECT password FROM account");
      assert.ok(hashes.length === 4 && hashes.every((h) => h.password.startsWith("scrypt$")), "yesterday's hashes");
      past = { users, jwt: token, keyIds: keys.map((k) => k.id), sessionIds: sessions.map((s) => s.id) };
    } finally {
      await database.close();
    }
  } finally {
    await db.close();
  }

  // Today's app: it applies migration 0004 at start-up.
  t = dataDir
    ? await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir, BETTER_AUTH_SECRET: SECRET })
    : await startApp({ BETTER_AUTH_SECRET: SECRET }, databaseUrl);
});

after(async () => {
  await t?.close();
  await dropDatabase();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("upgrading an installation to Better Auth's default schema (migration 0004)", () => {
  test("the migration ran and the columns are renamed in place", async () => {
    const applied = await t.app.ctx.db.query<{ tag: string }>("SELECT tag FROM doable_migrations ORDER BY tag");
    assert.ok(applied.some((m) => m.tag === "0004_better_auth_default_schema"));
    const [ann] = await t.app.ctx.db.query<{ id: string; emailVerified: boolean; createdAt: Date }>(
      `SELECT id, "emailVerified", "createdAt" FROM "user" WHERE email = 'ann@example.com'`,
    );
    assert.equal(ann?.id, past.users.ann.id);
    assert.equal(ann?.emailVerified, false);
    assert.deepEqual(
      (await t.app.ctx.db.query<{ id: string }>("SELECT id FROM jwks ORDER BY id")).map((k) => k.id),
      past.keyIds,
    );
    assert.deepEqual(
      (await t.app.ctx.db.query<{ id: string }>("SELECT id FROM session ORDER BY id")).map((s) => s.id),
      past.sessionIds,
    );
  });

  test("a JWT issued before the migration still verifies, and the caller's tasks are there", async () => {
    const auth = { authorization: `Bearer ${past.jwt}` };
    const me = await t.app.inject({ method: "GET", url: "/api/me", headers: auth });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal((me.json() as { id: string; email: string }).email, "ann@example.com");
    const tasks = await t.app.inject({ method: "GET", url: "/api/tasks", headers: auth });
    assert.deepEqual(
      (tasks.json() as { title: string }[]).map((x) => x.title),
      ["from before"],
    );
  });

  test("a session from before the migration still works and mints JWTs signed with the same key", async () => {
    const jwt = await tokenFor(t.app, past.users.bob.sessionToken);
    const kid = JSON.parse(Buffer.from(String(jwt.split(".")[0]), "base64url").toString()).kid as string;
    assert.ok(past.keyIds.includes(kid), "signed with a key from before");
    const me = await t.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${jwt}` } });
    assert.equal((me.json() as { id: string }).id, past.users.bob.id);
  });

  test("accounts sign in with their passwords; the ban and its reason survive", async () => {
    for (const name of ["ann", "bob"] as const) {
      const { email, password, id } = past.users[name];
      const res = await signIn(t.app, email, password);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal((res.json() as { user: { id: string } }).user.id, id);
    }
    const cat = past.users.cat;
    const refused = await signIn(t.app, cat.email, cat.password);
    assert.equal(refused.statusCode, 403);
    assert.match((refused.json() as { detail: string }).detail, /banned.*Reason: spam/);
    assert.equal((await signIn(t.app, past.users.ann.email, "not ann's password")).statusCode, 401);
  });

  test("an old hash is rewritten in Better Auth's format at its first sign-in, so another Better Auth app accepts it", async () => {
    // Above, ann and bob signed in, cat gave her right password (and the ban refused her), eve did nothing.
    const rows = await t.app.ctx.db.query<{ email: string; password: string }>(
      `SELECT u.email, a.password FROM account a JOIN "user" u ON u.id = a."userId" ORDER BY u.email`,
    );
    assert.deepEqual(
      rows.map((r) => [
        r.email,
        r.password.startsWith("scrypt$") ? "old" : /^[0-9a-f]{32}:[0-9a-f]{128}$/.test(r.password) ? "better-auth" : r.password,
      ]),
      [
        ["ann@example.com", "better-auth"],
        ["bob@example.com", "better-auth"],
        ["cat@example.com", "better-auth"],
        ["eve@example.com", "old"],
      ],
    );
    const database = peerDatabase({ url: t.databaseUrl, db: t.app.ctx.db });
    try {
      const peer = createPeerAuth({ baseURL: "http://127.0.0.1:1", secret: SECRET, database: database.database });
      const peerSignIn = async (name: "ann" | "eve") => {
        const { email, password } = past.users[name];
        return ((await peer.api.signInEmail({ body: { email, password } })) as { user: { id: string } }).user.id;
      };
      assert.equal(await peerSignIn("ann"), past.users.ann.id);
      // Better Auth's default verifier cannot read Doable's old format: eve signs in to Doable once first.
      await assert.rejects(peerSignIn("eve"));
      assert.equal((await signIn(t.app, past.users.eve.email, past.users.eve.password)).statusCode, 200);
      assert.equal(await peerSignIn("eve"), past.users.eve.id);
      assert.equal((await signIn(t.app, past.users.eve.email, past.users.eve.password)).statusCode, 200, "Doable takes the new hash");
    } finally {
      await database.close();
    }
  });
});
