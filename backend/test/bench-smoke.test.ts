import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import type { BenchReport } from "../bench/report.ts";

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

test("npm run bench: a tiny mixed run on the embedded database completes with every operation and no errors", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "doable-bench-smoke-"));
  const jsonFile = path.join(dir, "result.json");
  try {
    const args = ["--duration", "2", "--warmup", "0.5", "--users", "3", "--tasks-per-user", "5", "--connections", "4", "--json", jsonFile];
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "bench/bench.ts", ...args], {
      cwd: backendDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, output);
    assert.match(output, /all task requests/);

    const report = JSON.parse(await readFile(jsonFile, "utf8")) as BenchReport;
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
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("npm run bench -- --scenario lists: a tiny run measures each request alone and shows that a move writes one row", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "doable-bench-smoke-"));
  const jsonFile = path.join(dir, "result.json");
  try {
    const args = ["--scenario", "lists", "--duration", "2", "--warmup", "0.2", "--users", "1", "--tasks-per-user", "60"];
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "bench/bench.ts", ...args, "--connections", "2", "--json", jsonFile], {
      cwd: backendDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    assert.equal(code, 0, output);
    assert.match(output, /rows written per move/);

    const report = JSON.parse(await readFile(jsonFile, "utf8")) as BenchReport;
    assert.equal(report.scenario, "lists");
    assert.deepEqual(
      report.phases.map((p) => p.name),
      [
        "GET /api/lists (20 lists)",
        "first page by position, 60-task list",
        "first page by position, 25-task list",
        "move within the 60-task list",
        "view=today (all 20 lists)",
        "view=upcoming (all 20 lists)",
      ],
    );
    for (const phase of report.phases) {
      assert.ok(phase.all.requests > 0, `${phase.name} ran`);
      assert.deepEqual(phase.all.non2xx, {}, `${phase.name}: non-2xx responses`);
    }
    const moves = report.moves;
    assert.ok(moves && moves.moves > 0);
    assert.equal(moves.versionIncrements, moves.moves, "each move raised one row's version once");
    assert.equal(moves.otherRowsChanged, 0);
    assert.ok(moves.rowsChanged <= moves.moves);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("the bench starts the server with the same Node flags as npm start", async () => {
  const { serverNodeFlags } = await import("../bench/server.ts");
  const pkg = JSON.parse(await readFile(path.join(path.dirname(fileURLToPath(import.meta.url)), "../package.json"), "utf8")) as {
    scripts: { start: string };
  };
  assert.equal(pkg.scripts.start, `node ${serverNodeFlags.join(" ")} dist/main.js`);
});
