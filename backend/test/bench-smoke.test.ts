import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { runBench } from "./support/bench-run.ts";

test("npm run bench: a tiny mixed run on the embedded database completes with every operation and no errors", async () => {
  const { code, output, report } = await runBench([
    "--duration",
    "2",
    "--warmup",
    "0.5",
    "--users",
    "3",
    "--tasks-per-user",
    "5",
    "--connections",
    "4",
  ]);
  assert.equal(code, 0, output);
  assert.match(output, /all task requests/);

  assert.ok(report, output);
  assert.equal(report.scenario, "mixed");
  assert.equal(report.database.kind, "embedded");
  assert.equal(report.seeding.users.count, 3);
  assert.equal(report.seeding.tasks.via, "api");
  const [phase] = report.phases;
  assert.ok(phase);
  assert.deepEqual(Object.keys(phase.operations).sort(), ["create", "get", "list", "toggle", "update"]);
  for (const [op, s] of Object.entries(phase.operations)) {
    assert.ok(s.requests > 0, `${op} ran`);
    assert.deepEqual(s.non2xx, {}, `${op}: non-2xx responses`);
    assert.deepEqual(s.errors, {}, `${op}: errors`);
    assert.ok(s.p50 > 0 && s.p50 <= s.p99 && s.p99 <= s.max, `${op}: ordered percentiles`);
  }
  assert.equal(report.summary.errors, 0);
  assert.ok(report.summary.rps > 0);
  if (process.platform === "linux") assert.ok((report.summary.peakRssMb ?? 0) > 0, "server RSS was sampled");
});

test("the bench starts the server with the same Node flags as npm start", async () => {
  const { serverNodeFlags } = await import("../bench/server.ts");
  const pkg = JSON.parse(await readFile(path.join(path.dirname(fileURLToPath(import.meta.url)), "../package.json"), "utf8")) as {
    scripts: { start: string };
  };
  assert.equal(pkg.scripts.start, `node ${serverNodeFlags.join(" ")} dist/main.js`);
});
