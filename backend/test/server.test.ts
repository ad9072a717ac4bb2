import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { expectedMigrations } from "../src/db/migrate.ts";
import { createTestDatabase, ORIGIN, sleep } from "./helpers.ts";
import { type ServerOptions, type ServerProcess, signUpOverHttp, spawnServer, startServer } from "./support/server-process.ts";

/*
 * The real server process, as `npm start` runs it: start-up, restart with the
 * same data, graceful shutdown, and the embedded data directory's lock.
 */

/**
 * A sign-up whose headers the server has read (it answered 100 Continue) and
 * whose body is held back until `finish`, so it is known to be in flight.
 */
async function heldSignUp(server: ServerProcess, email: string): Promise<{ finish: () => Promise<number> }> {
  const body = JSON.stringify({ email, password: "a good password", name: "Drain" });
  const req = request(`${server.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
      origin: server.origin,
      expect: "100-continue",
    },
  });
  const status = new Promise<number>((resolve, reject) => {
    req.once("response", (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
    });
    req.once("error", reject);
  });
  status.catch(() => {}); // awaited by finish(); an early error fails there
  const accepted = new Promise<void>((resolve, reject) => {
    req.once("continue", resolve);
    req.once("error", reject);
  });
  req.flushHeaders();
  await accepted;
  return {
    finish: () => {
      req.end(body);
      return status;
    },
  };
}

describe("embedded database", () => {
  let dataDir: string;
  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), "doable-server-"));
  });
  after(() => rm(dataDir, { recursive: true, force: true }));

  test("starts, keeps data across a restart, refuses a second process on the same DATA_DIR, and drains on SIGTERM", async () => {
    const embedded: ServerOptions["env"] = { DATA_DIR: dataDir, DATABASE_URL: "", BETTER_AUTH_URL: ORIGIN };
    // LOG_LEVEL=info: the drain below waits for the "shutting down" line.
    const first = await startServer({ env: { ...embedded, LOG_LEVEL: "info" } });
    const { jwt } = await signUpOverHttp(first, { email: "persist@example.com" });
    const created = await fetch(`${first.url}/api/tasks`, {
      method: "POST",
      headers: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "survives a restart" }),
    });
    assert.equal(created.status, 201);
    const task = (await created.json()) as { id: string };

    // A second process on the same directory is refused with a clear message; the first keeps working.
    const second = await spawnServer({ env: embedded });
    assert.equal(await second.exited, 1);
    assert.match(second.output(), /in use by another Doable process/);
    assert.equal((await fetch(`${first.url}/api/tasks/${task.id}`, { headers: { authorization: `Bearer ${jwt}` } })).status, 200);

    // SIGTERM while three sign-ups are in flight (the server has read their headers; their bodies
    // follow once it has begun shutting down): they all complete, then it exits 0.
    const inFlight = await Promise.all([1, 2, 3].map((i) => heldSignUp(first, `drain${i}@example.com`)));
    first.proc.kill("SIGTERM");
    await first.waitForOutput(/"msg":"shutting down"/);
    assert.deepEqual(await Promise.all(inFlight.map((r) => r.finish())), [200, 200, 200]);
    assert.equal(await first.exited, 0, first.output());

    const again = await startServer({ env: embedded });
    try {
      const res = await fetch(`${again.url}/api/tasks/${task.id}`, { headers: { authorization: `Bearer ${jwt}` } });
      assert.equal(res.status, 200, "the JWT (keys live in the database) and the task both survived");
      assert.equal(((await res.json()) as { title: string }).title, "survives a restart");
      assert.ok((await signUpOverHttp(again, { email: "after@example.com" })).jwt.length > 0);
      const dup = await fetch(`${again.url}/api/auth/sign-up/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: ORIGIN },
        body: JSON.stringify({ email: "drain2@example.com", password: "a good password", name: "Drain" }),
      });
      assert.equal(dup.status, 422, "the drained sign-up was committed before exit");
    } finally {
      assert.equal(await again.stop(), 0);
    }
  });

  test("a bad setting stops start-up with one line naming the variable", async () => {
    const bad = await spawnServer({ env: { PORT: "not-a-port" } });
    assert.equal(await bad.exited, 1);
    assert.equal(bad.output().trim(), 'doable: configuration error: PORT: must be a whole number, got "not-a-port"');
  });
});

if (process.env.TEST_DATABASE_URL) {
  describe("PostgreSQL: several instances", () => {
    test("a token from A works on B; banning through A makes B refuse it within 5 s; concurrent start-ups migrate once", async () => {
      const db = await createTestDatabase();
      const env = { DATABASE_URL: db.url, BETTER_AUTH_SECRET: "shared-secret-shared-secret-shared-secret", BETTER_AUTH_URL: ORIGIN };
      const [a, b] = await Promise.all([spawnServer({ env }), spawnServer({ env })]);
      try {
        await Promise.all([a.ready(), b.ready()]);
        const { jwt: admin } = await signUpOverHttp(a, { email: "multi-admin@example.com" });
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
          ({ jwt: victimJwt, id: victimId } = await signUpOverHttp(a, { email: "multi-victim@example.com" }));
        } finally {
          await sql.end();
        }

        const onB = await fetch(`${b.url}/api/tasks`, { headers: { authorization: `Bearer ${victimJwt}` } });
        assert.equal(onB.status, 200, "a token minted by A verifies on B");

        // The admin gate reads the role from the database, so the JWT minted before the promotion serves.
        const adminToken = admin;
        const ban = await fetch(`${a.url}/api/admin/users/${victimId}`, {
          method: "PATCH",
          headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
          body: JSON.stringify({ banned: true, ban_reason: "multi-instance test" }),
        });
        assert.equal(ban.status, 200, await ban.text());
        const bannedAt = Date.now();
        let status = 200;
        while (status !== 401 && Date.now() - bannedAt < 5_000) {
          status = (await fetch(`${b.url}/api/tasks`, { headers: { authorization: `Bearer ${victimJwt}` } })).status;
          if (status !== 401) await sleep(50);
        }
        assert.equal(status, 401, "B refuses the banned user's token within 5 s");
      } finally {
        await Promise.all([a.stop(), b.stop()]);
        await db.drop();
      }
    });
  });
}
