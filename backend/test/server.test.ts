import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { expectedMigrations } from "../src/db/migrate.ts";
import { createTestDatabase, ORIGIN, sleep } from "./helpers.ts";

/*
 * The real server process, as `npm start` runs it: start-up, restart with the
 * same data, graceful shutdown, and the embedded data directory's lock.
 */
const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

interface Running {
  proc: ChildProcess;
  base: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>, port: number): Running {
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: backendDir,
    env: {
      ...process.env,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RATE_LIMIT: "off",
      STATIC_DIR: "off",
      INIT_CWD: backendDir,
      ...env,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  proc.stderr?.on("data", (d) => {
    err += String(d);
  });
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  return { proc, base: `http://127.0.0.1:${port}`, stderr: () => err, exited };
}

async function waitReady(r: Running, timeoutMs = 20_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (r.proc.exitCode !== null) throw new Error(`server exited: ${r.stderr()}`);
    try {
      const res = await fetch(`${r.base}/readyz`);
      if (res.status === 200) return Date.now() - started;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`not ready after ${timeoutMs} ms: ${r.stderr()}`);
}

async function signUpAndToken(base: string, email: string): Promise<string> {
  const res = await fetch(`${base}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN },
    body: JSON.stringify({ email, password: "a good password", name: "Proc" }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  const session = res.headers.get("set-auth-token") as string;
  const token = await fetch(`${base}/api/auth/token`, { headers: { authorization: `Bearer ${session}` } });
  return ((await token.json()) as { token: string }).token;
}

describe("embedded database", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "doable-server-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test("starts, keeps data across a restart, refuses a second process on the same DATA_DIR, and drains on SIGTERM", async () => {
    const port = await freePort();
    const first = start({ DATA_DIR: dataDir, DATABASE_URL: "", BETTER_AUTH_URL: ORIGIN }, port);
    const readyIn = await waitReady(first);
    assert.ok(readyIn < 20_000);
    const jwt = await signUpAndToken(first.base, "persist@example.com");
    const created = await fetch(`${first.base}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "survives a restart" }),
    });
    assert.equal(created.status, 201);
    const task = (await created.json()) as { id: string };

    // A second process on the same directory is refused with a clear message; the first keeps working.
    const second = start({ DATA_DIR: dataDir, DATABASE_URL: "", BETTER_AUTH_URL: ORIGIN }, await freePort());
    assert.equal(await second.exited, 1);
    assert.match(second.stderr(), /in use by another Doable process/);
    assert.equal((await fetch(`${first.base}/api/tasks/${task.id}`, { headers: { authorization: `Bearer ${jwt}` } })).status, 200);

    // SIGTERM while sign-ups (slow: password hashing) are in flight: they all complete, then exit 0.
    const inFlight = [1, 2, 3].map((i) =>
      fetch(`${first.base}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN },
        body: JSON.stringify({ email: `drain${i}@example.com`, password: "a good password", name: "Drain" }),
      }),
    );
    await sleep(300);
    first.proc.kill("SIGTERM");
    const statuses = await Promise.all(inFlight.map((p) => p.then((r) => r.status)));
    assert.deepEqual(statuses, [200, 200, 200]);
    assert.equal(await first.exited, 0, first.stderr());

    const again = start({ DATA_DIR: dataDir, DATABASE_URL: "", BETTER_AUTH_URL: ORIGIN }, await freePort());
    try {
      await waitReady(again);
      const res = await fetch(`${again.base}/api/tasks/${task.id}`, { headers: { authorization: `Bearer ${jwt}` } });
      assert.equal(res.status, 200, "the JWT (keys live in the database) and the task both survived");
      assert.equal(((await res.json()) as { title: string }).title, "survives a restart");
      const drained = await signUpAndToken(again.base, "after@example.com").catch(() => "");
      assert.ok(drained.length > 0);
      const dup = await fetch(`${again.base}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN },
        body: JSON.stringify({ email: "drain2@example.com", password: "a good password", name: "Drain" }),
      });
      assert.equal(dup.status, 422, "the drained sign-up was committed before exit");
    } finally {
      again.proc.kill("SIGTERM");
      assert.equal(await again.exited, 0);
    }
  });

  test("a bad setting stops start-up with one line naming the variable", async () => {
    const bad = start({ PORT: "not-a-port" }, 0);
    assert.equal(await bad.exited, 1);
    assert.equal(bad.stderr().trim(), 'doable: configuration error: PORT: must be a whole number, got "not-a-port"');
  });
});

if (process.env.TEST_DATABASE_URL) {
  describe("PostgreSQL: several instances", () => {
    test("a token from A works on B; banning through A makes B refuse it within 5 s; concurrent start-ups migrate once", async () => {
      const db = await createTestDatabase();
      const [portA, portB] = [await freePort(), await freePort()];
      const env = { DATABASE_URL: db.url, BETTER_AUTH_SECRET: "shared-secret-shared-secret-shared-secret", BETTER_AUTH_URL: ORIGIN };
      const a = start(env, portA);
      const b = start(env, portB);
      try {
        await Promise.all([waitReady(a), waitReady(b)]);
        const admin = await signUpAndToken(a.base, "multi-admin@example.com");
        const { Client } = (await import("pg")).default;
        const sql = new Client({ connectionString: db.url });
        await sql.connect();
        let victimJwt: string;
        let victimId: string;
        try {
          await sql.query(`UPDATE "user" SET role = 'admin' WHERE email = 'multi-admin@example.com'`);
          const migrations = await sql.query("SELECT tag FROM doable_migrations ORDER BY tag");
          assert.deepEqual(
            migrations.rows.map((r) => r.tag),
            expectedMigrations,
            "each migration applied once",
          );
          victimJwt = await signUpAndToken(a.base, "multi-victim@example.com");
          victimId = (await sql.query(`SELECT id FROM "user" WHERE email = 'multi-victim@example.com'`)).rows[0].id as string;
        } finally {
          await sql.end();
        }

        const onB = await fetch(`${b.base}/api/tasks`, { headers: { authorization: `Bearer ${victimJwt}` } });
        assert.equal(onB.status, 200, "a token minted by A verifies on B");

        // The admin gate reads the role from the database, so the JWT minted before the promotion serves.
        const adminToken = admin;
        const ban = await fetch(`${a.base}/api/admin/users/${victimId}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
          body: JSON.stringify({ banned: true, ban_reason: "multi-instance test" }),
        });
        assert.equal(ban.status, 200, await ban.text());
        const bannedAt = Date.now();
        let status = 200;
        while (status !== 401 && Date.now() - bannedAt < 5_000) {
          status = (await fetch(`${b.base}/api/tasks`, { headers: { authorization: `Bearer ${victimJwt}` } })).status;
          if (status !== 401) await sleep(50);
        }
        assert.equal(status, 401, "B refuses the banned user's token within 5 s");
      } finally {
        a.proc.kill("SIGTERM");
        b.proc.kill("SIGTERM");
        await Promise.all([a.exited, b.exited]);
        await db.drop();
      }
    });
  });
}
