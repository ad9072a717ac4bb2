import assert from "node:assert/strict";
import { test } from "node:test";
import { runBench } from "./support/bench-run.ts";

// Its own file (the suite's time limit is per file): a server start, seeding and six phases.

test("npm run bench -- --scenario lists: a tiny run measures each request alone and shows that a move writes one row", async () => {
  const args = ["--scenario", "lists", "--duration", "2", "--warmup", "0.2", "--users", "1", "--tasks-per-user", "60"];
  const { code, output, report } = await runBench([...args, "--connections", "2"]);
  assert.equal(code, 0, output);
  assert.match(output, /rows written per move/);

  assert.ok(report, output);
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
});
