/**
 * Better Auth's tables are Better Auth's own default schema (issue 19), so an
 * unmodified Better Auth app — a Next.js front end — shares Doable's database:
 * the columns are compared with Better Auth's schema definition and with its
 * migration planner, and a second, separately configured Better Auth signs
 * users up and in beside Doable. This file owns its database and users.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { getSchema } from "better-auth/db";
import { getMigrations } from "better-auth/db/migration";
import { createPeerAuth, listenForPeer, type PeerAuth, peerDatabase } from "./better-auth-peer.ts";
import { assertProblem, promote, signIn, signUp, startApp, type TestApp, tokenFor, uniqueEmail } from "./helpers.ts";

let t: TestApp;
let peer: PeerAuth;
let peerServer: Awaited<ReturnType<typeof listenForPeer>>;
let closePeerDatabase: () => Promise<void>;

before(async () => {
  peerServer = await listenForPeer();
  t = await startApp({ JWT_JWKS_URL: `${peerServer.url}/api/auth/jwks` });
  const database = peerDatabase({ url: t.databaseUrl, db: t.app.ctx.db });
  closePeerDatabase = database.close;
  peer = createPeerAuth({ baseURL: peerServer.url, secret: t.app.ctx.config.authSecret, database: database.database });
  peerServer.serve(peer);
});
after(async () => {
  await peerServer.close();
  await closePeerDatabase();
  await t.close();
});

const BETTER_AUTH_TABLES = ["user", "session", "account", "verification", "jwks"];

/** information_schema's name for the column type Better Auth's Kysely adapter creates on PostgreSQL. */
function postgresType(type: unknown): string {
  switch (type) {
    case "string":
      return "text";
    case "boolean":
      return "boolean";
    case "date":
      return "timestamp with time zone";
    case "number":
      return "integer";
    case "json":
      return "jsonb";
    default:
      throw new Error(`no PostgreSQL type known for Better Auth's ${JSON.stringify(type)}: extend this test`);
  }
}

describe("Better Auth's tables are Better Auth's default schema", () => {
  test("every column is the one Better Auth's schema for Doable's plugins defines (name, type, NOT NULL), and there are no others", async () => {
    // Doable's own Better Auth options: a plugin added there (two-factor, API keys) extends what is expected here.
    const expected = getSchema(t.app.ctx.auth.options);
    assert.deepEqual(Object.keys(expected).sort(), [...BETTER_AUTH_TABLES].sort());
    const columns = await t.app.ctx.db.query<{
      table_name: string;
      column_name: string;
      data_type: string;
      is_nullable: string;
      column_default: string | null;
    }>(
      `SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = ANY($1::text[])`,
      [BETTER_AUTH_TABLES],
    );
    for (const [table, { fields }] of Object.entries(expected)) {
      const live = new Map(columns.filter((c) => c.table_name === table).map((c) => [c.column_name, c]));
      const wanted = Object.entries(fields).map(([key, field]) => ({ name: field.fieldName ?? key, field }));
      assert.deepEqual([...live.keys()].sort(), ["id", ...wanted.map((w) => w.name)].sort(), `the columns of "${table}"`);
      assert.equal(live.get("id")?.data_type, "text", `${table}.id`);
      for (const { name, field } of wanted) {
        const column = live.get(name);
        assert.equal(column?.data_type, postgresType(field.type), `${table}.${name}: type`);
        if (field.required) assert.equal(column?.is_nullable, "NO", `${table}.${name} is required by Better Auth`);
        // A column Better Auth may leave out (an app without the admin plugin leaves out `role`) is nullable or has a default.
        else assert.ok(column?.is_nullable === "YES" || column?.column_default !== null, `${table}.${name} can be left out`);
      }
    }
  });

  test("the foreign keys and unique columns are Better Auth's", async () => {
    const constraints = await t.app.ctx.db.query<{ kind: string; table: string; column: string; target: string | null; on_delete: string }>(
      `SELECT c.contype::text AS kind, c.conrelid::regclass::text AS table, a.attname AS column,
              c.confrelid::regclass::text AS target, c.confdeltype::text AS on_delete
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY(c.conkey)
        WHERE c.contype IN ('f', 'u') AND c.conrelid::regclass::text = ANY($1::text[])`,
      [BETTER_AUTH_TABLES.map((name) => (name === "user" ? '"user"' : name))],
    );
    const unquote = (name: string | null) => name?.replace(/^"(.*)"$/, "$1") ?? null;
    const live = constraints.map((c) => ({ ...c, table: unquote(c.table), target: unquote(c.target) }));
    for (const [table, { fields }] of Object.entries(getSchema(t.app.ctx.auth.options))) {
      for (const [key, field] of Object.entries(fields)) {
        const name = field.fieldName ?? key;
        if (field.unique)
          assert.ok(
            live.some((c) => c.kind === "u" && c.table === table && c.column === name),
            `${table}.${name} is unique`,
          );
        if (field.references) {
          const fk = live.find((c) => c.kind === "f" && c.table === table && c.column === name);
          assert.equal(fk?.target, field.references.model, `${table}.${name} references ${field.references.model}`);
          if (field.references.onDelete === "cascade") assert.equal(fk?.on_delete, "c", `${table}.${name} cascades`);
        }
      }
    }
  });

  test("Better Auth's own migration planner (what `auth migrate` runs) finds nothing to create, add or index", async () => {
    const database = peerDatabase({ url: t.databaseUrl, db: t.app.ctx.db });
    try {
      const plan = await getMigrations({ ...t.app.ctx.auth.options, database: database.database }, { throwOnUnsafe: false });
      assert.deepEqual(
        {
          create: plan.toBeCreated.map((c) => c.table),
          add: plan.toBeAdded.map((a) => `${a.table}: ${Object.keys(a.fields).join(", ")}`),
          indexes: plan.toBeAddedIndexes.map((i) => i.name),
          problems: [...plan.unsafeChanges, ...plan.schemaProblems],
        },
        { create: [], add: [], indexes: [], problems: [] },
      );
    } finally {
      await database.close();
    }
  });
});

type PeerSession = { token: string; user: { id: string; email: string } };

async function peerSignUp(email: string, password: string): Promise<PeerSession> {
  return (await peer.api.signUpEmail({ body: { email, password, name: "Pat Peer" } })) as PeerSession;
}

async function peerSignIn(email: string, password: string): Promise<PeerSession> {
  return (await peer.api.signInEmail({ body: { email, password } })) as PeerSession;
}

/** A JWT from the other app's jwt plugin, fetched with its bearer session token over HTTP, as its clients do. */
async function peerJwt(sessionToken: string): Promise<string> {
  const res = await fetch(`${peerServer.url}/api/auth/token`, { headers: { authorization: `Bearer ${sessionToken}` } });
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { token: string }).token;
}

describe("a second Better Auth app on the same database", () => {
  test("a user who signs up through the other app signs in to Doable, gets a JWT and uses the API", async () => {
    const email = uniqueEmail("peer");
    const made = await peerSignUp(email, "a password from next");
    const res = await signIn(t.app, email, "a password from next");
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((res.json() as { user: { id: string } }).user.id, made.user.id);
    const jwt = await tokenFor(t.app, String(res.headers["set-auth-token"]));
    const auth = { authorization: `Bearer ${jwt}` };
    const me = await t.app.inject({ method: "GET", url: "/api/me", headers: auth });
    assert.equal(me.statusCode, 200);
    assert.deepEqual((({ id, email: e, name, role }) => ({ id, email: e, name, role }))(me.json() as Record<string, unknown>), {
      id: made.user.id,
      email,
      name: "Pat Peer",
      role: "user",
    });
    const created = await t.app.inject({ method: "POST", url: "/api/tasks", headers: auth, payload: { title: "from the peer's user" } });
    assert.equal(created.statusCode, 201);
    const list = await t.app.inject({ method: "GET", url: "/api/tasks", headers: auth });
    assert.deepEqual(
      (list.json() as { title: string; user_id: string }[]).map((x) => [x.title, x.user_id]),
      [["from the peer's user", made.user.id]],
    );
    assertProblem(await signIn(t.app, email, "a wrong password"), 401, "unauthorized");
  });

  test("a user who signed up with Doable signs in through the other app, whose JWT Doable's API accepts (JWT_JWKS_URL)", async () => {
    const ann = await signUp(t.app, { password: "made by doable" });
    const session = await peerSignIn(ann.email, "made by doable");
    assert.equal(session.user.id, ann.id);
    await assert.rejects(peerSignIn(ann.email, "not the password"), /invalid email or password/i);
    const jwt = await peerJwt(session.token);
    const me = await t.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${jwt}` } });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal((me.json() as { id: string }).id, ann.id);
  });

  test("a ban made through Doable's admin API refuses sign-in through the other app too", async () => {
    const root = await promote(t.app, await signUp(t.app));
    const email = uniqueEmail("banned-peer");
    const made = await peerSignUp(email, "banned elsewhere");
    const ban = await t.app.inject({
      method: "PATCH",
      url: `/api/admin/users/${made.user.id}`,
      headers: root.auth,
      payload: { banned: true, ban_reason: "spam" },
    });
    assert.equal(ban.statusCode, 200, ban.body);
    await assert.rejects(peerSignIn(email, "banned elsewhere"), /banned/i);
    assertProblem(await signIn(t.app, email, "banned elsewhere"), 403, "forbidden");
  });
});
