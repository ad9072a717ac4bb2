import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { signUp, startApp, type TestApp, uniqueEmail } from "./helpers.ts";

/*
 * How the first admin comes to be: ADMIN_EMAILS at sign-up, or `npm run admin`
 * on an existing account (the command line takes the API's locks and writes
 * its audit entry). A file of its own: the command-line runs start processes.
 */

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let t: TestApp;

before(async () => {
  t = await startApp();
});
after(() => t.close());

describe("the first admin", () => {
  test("ADMIN_EMAILS makes an account admin at sign-up", async () => {
    const email = uniqueEmail("boss");
    const s = await startApp({ ADMIN_EMAILS: `someone@else.org, ${email.toUpperCase()}` });
    try {
      const boss = await signUp(s.app, { email });
      const me = await s.app.inject({ method: "GET", url: "/api/me", headers: boss.auth });
      assert.equal((me.json() as { role: string }).role, "admin");
      const other = await signUp(s.app);
      assert.equal(((await s.app.inject({ method: "GET", url: "/api/me", headers: other.auth })).json() as { role: string }).role, "user");
    } finally {
      await s.close();
    }
  });

  test("npm run admin -- promote <email> makes an existing account admin", async () => {
    if (t.databaseUrl === "memory://") {
      // The CLI needs a database another process can open: use an embedded one on disk.
      const dir = await mkdtemp(path.join(tmpdir(), "doable-cli-"));
      const s = await startApp({ DATABASE_URL: undefined, DATA_DIR: dir });
      const gina = await signUp(s.app);
      await s.app.close();
      const run = (args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", "src/cli/admin.ts", ...args], {
          cwd: backendDir,
          env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "", INIT_CWD: backendDir, NODE_ENV: "test" },
          encoding: "utf8",
        });
      const promoted = run(["promote", gina.email]);
      assert.equal(promoted.status, 0, promoted.stderr);
      assert.match(promoted.stdout, /is now an admin/);
      assert.match(run(["list"]).stdout, new RegExp(gina.email.replace(/\./g, "\\.")));
      assert.equal(run(["promote", "nobody@nowhere.example"]).status, 1);
      const refused = run(["demote", gina.email]);
      assert.equal(refused.status, 1, "the last admin is not demoted");
      assert.match(refused.stderr, /last active admin/);
      assert.equal(run(["frobnicate"]).status, 2);
      // The command line writes the API's audit entry (and only for the change it made).
      const again = await startApp({ DATABASE_URL: undefined, DATA_DIR: dir });
      try {
        const entries = await again.app.ctx.db.query<{ actor_id: string; action: string; target_user_id: string; details: unknown }>(
          "SELECT actor_id, action, target_user_id, details FROM audit_log ORDER BY created_at",
        );
        assert.deepEqual(entries, [
          {
            actor_id: "cli",
            action: "user.update",
            target_user_id: gina.id,
            details: { changes: { role: "admin" }, before: { role: "user", banned: false }, via: "cli" },
          },
        ]);
      } finally {
        await again.app.close();
      }
    } else {
      const gina = await signUp(t.app);
      const run = (args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", "src/cli/admin.ts", ...args], {
          cwd: backendDir,
          env: { ...process.env, DATABASE_URL: t.databaseUrl, NODE_ENV: "test" },
          encoding: "utf8",
        });
      const promoted = run(["promote", gina.email]);
      assert.equal(promoted.status, 0, promoted.stderr);
      const me = await t.app.inject({ method: "GET", url: "/api/me", headers: gina.auth });
      assert.equal((me.json() as { role: string }).role, "admin");
      const entries = await t.app.ctx.db.query<{ actor_id: string; action: string }>(
        "SELECT actor_id, action FROM audit_log WHERE target_user_id = $1",
        [gina.id],
      );
      assert.deepEqual(entries, [{ actor_id: "cli", action: "user.update" }]);
    }
  });
});
