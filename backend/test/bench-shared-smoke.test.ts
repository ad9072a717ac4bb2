import assert from "node:assert/strict";
import { test } from "node:test";
import { sharedListOps } from "../bench/jobs.ts";
import type { SharingSide } from "../bench/report.ts";
import type { OpSummary } from "../bench/stats.ts";
import { runBench } from "./support/bench-run.ts";

// Its own file (the suite's time limit is per file): a server start, seeding and one phase.

test("npm run bench -- --scenario shared-list: a tiny run reports every request kind on the shared list and on its private twin", async () => {
  const args = ["--scenario", "shared-list", "--users", "3", "--tasks-per-user", "40", "--duration", "2", "--warmup", "0.3"];
  const { code, output, report } = await runBench([...args, "--connections", "4"]);
  assert.equal(code, 0, output);
  assert.match(output, /first page p99, shared vs private: [\d.,]+ ms vs [\d.,]+ ms/);

  assert.ok(report, output);
  assert.equal(report.scenario, "shared-list");
  // Two owners and three members; each big list and every Inbox (25 each) by SQL.
  assert.equal(report.seeding.users.count, 5);
  assert.equal(report.seeding.tasks.count, 2 * 40 + 5 * 25);
  assert.deepEqual(
    report.phases.map((p) => p.name),
    ["shared vs private list"],
  );
  const sharing = report.sharing;
  assert.ok(sharing, "the report has the sharing figures");
  assert.equal(sharing.members, 3);
  assert.equal(sharing.listTasks, 40);
  assert.deepEqual({ shared: sharing.sides.shared.connections, private: sharing.sides.private.connections }, { shared: 2, private: 2 });
  assert.deepEqual({ shared: sharing.sides.shared.users, private: sharing.sides.private.users }, { shared: 3, private: 1 });
  const figures = ["requests", "rps", "p50", "p90", "p99", "max"] as const;
  for (const side of ["shared", "private"] as const) {
    const figuresOfSide: SharingSide = sharing.sides[side];
    assert.deepEqual(Object.keys(figuresOfSide.operations), [...sharedListOps], `${side}: every request kind`);
    const rows: [string, OpSummary][] = [...Object.entries(figuresOfSide.operations), ["all", figuresOfSide.all]];
    for (const [kind, s] of rows) {
      for (const f of figures) assert.equal(typeof s[f], "number", `${side} ${kind}: ${f}`);
      assert.deepEqual(s.errors, {}, `${side} ${kind}: connection errors`);
      assert.deepEqual(s.non2xx, {}, `${side} ${kind}: non-2xx responses`);
    }
    assert.ok(figuresOfSide.all.requests > 0, `${side}: requests were made`);
  }
  for (const side of ["shared", "private"] as const) {
    const a: { entries: number; actors: number; withoutActor: number } | undefined = sharing.activity?.[side];
    assert.ok(a, `${side}: the list's activity during the load`);
    for (const f of ["entries", "actors", "withoutActor"] as const) assert.equal(typeof a[f], "number", `${side} activity: ${f}`);
  }
  assert.match(output, /activity written during the load/);
  assert.deepEqual(Object.keys(sharing.comparison).sort(), [...sharedListOps, "all"].sort());
  const first = sharing.comparison["first page"];
  assert.equal(first.sharedP99, sharing.sides.shared.operations["first page"].p99);
  assert.equal(first.privateP99, sharing.sides.private.operations["first page"].p99);
});
