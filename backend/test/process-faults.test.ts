/**
 * Process faults (issue #7): `kill -9` of the service in the middle of a load
 * of writes, on the embedded database (a DATA_DIR of the test's own) and on
 * PostgreSQL (a throwaway cluster). After a restart: the data directory opens
 * (the dead process's lock file does not block it), every create that got a
 * 201 is there, nothing half-written is visible, and retrying the writes whose
 * outcome was lost (same Idempotency-Key) stores each exactly once.
 *
 * What this does not cover, and cannot from a test: a machine crash. PGlite
 * does not fsync, so the embedded database survives the death of the process
 * (the data is in the OS page cache) but not necessarily of the machine; see
 * docs/SECURITY.md.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import {
  allTasks,
  clusterUnavailable,
  retryUnknown,
  sleep,
  startService,
  ThrowawayCluster,
  taskBody,
  type WriteOutcome,
  writeLoad,
} from "./service-helpers.ts";
import { type ServerProcess, signUpOverHttp } from "./support/server-process.ts";

/** Kills the service with SIGKILL once `acks` creates were acknowledged, with writes in flight. */
async function killDuringWrites(
  service: ServerProcess,
  auth: Record<string, string>,
  prefix: string,
  acks: number,
): Promise<WriteOutcome[]> {
  const load = writeLoad(service.url, auth, { concurrency: 8, prefix, hangAfterMs: 20_000 });
  try {
    const deadline = Date.now() + 60_000;
    while (load.results.filter((o) => o.status === 201).length < acks) {
      assert.ok(Date.now() < deadline, "the load never got going");
      await sleep(20);
    }
    service.proc.kill("SIGKILL");
    assert.equal(await service.exited, "SIGKILL");
  } finally {
    await load.stop();
  }
  return load.results;
}

/**
 * The invariants after a restart: each acknowledged create is there; every
 * visible task of this load is one that was sent, whole (all its fields as
 * sent, never a partial row); and after the lost ones are retried with their
 * keys, each write is there exactly once.
 */
async function assertRecovered(
  service: ServerProcess,
  auth: Record<string, string>,
  prefix: string,
  outcomes: WriteOutcome[],
): Promise<void> {
  const acknowledged = outcomes.filter((o) => o.status === 201);
  const lost = outcomes.filter((o) => o.status !== 201);
  assert.ok(
    acknowledged.length > 0 && lost.length > 0,
    `${acknowledged.length} acknowledged, ${lost.length} lost: the kill hit a running load`,
  );
  for (const o of outcomes) assert.ok(o.status === 201 || o.status === "lost", `${o.title}: ${o.status} ${o.body?.slice(0, 200)}`);

  const sent = new Map(outcomes.map((o) => [o.title, o]));
  const visible = (await allTasks(service.url, auth)).filter((x) => String(x.title).startsWith(`${prefix}-`));
  const byId = new Map(visible.map((x) => [x.id, x]));
  for (const o of acknowledged) assert.ok(byId.has(o.id), `${o.title} got a 201 (${o.id}) but is gone after the restart`);
  for (const task of visible) {
    const o = sent.get(task.title as string);
    assert.ok(o, `a task nobody sent: ${JSON.stringify(task)}`);
    const body = taskBody(o.seq, o.title);
    assert.deepEqual(
      { title: task.title, description: task.description, tags: task.tags, priority: task.priority, completed: task.completed },
      { ...body, completed: false },
      `${o.title} is not whole`,
    );
  }
  await retryUnknown(service.url, auth, outcomes);
  const titles = (await allTasks(service.url, auth)).map((x) => x.title as string).filter((t) => t.startsWith(`${prefix}-`));
  assert.equal(new Set(titles).size, titles.length, "a write was stored twice");
  assert.deepEqual(new Set(titles), new Set(outcomes.map((o) => o.title)));
  process.stdout.write(
    `${prefix}: ${outcomes.length} writes, ${acknowledged.length} acknowledged before the kill, ${lost.length} lost and retried\n`,
  );
}

describe("kill -9 on the embedded database (DATA_DIR)", () => {
  let dataDir: string;
  let service: ServerProcess | undefined;
  before(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), "doable-data-"));
  });
  after(async () => {
    if (service) await service.stop("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  });

  test("twice in a row: the stale lock does not block the restart, acknowledged writes survive, nothing is half-written", async () => {
    service = await startService({ DATA_DIR: dataDir });
    const user = await signUpOverHttp(service);
    for (const round of [1, 2]) {
      const prefix = `embedded${round}`;
      const outcomes = await killDuringWrites(service, user.auth, prefix, 40 * round);
      const lock = path.join(dataDir, "pgdata.lock");
      assert.ok(existsSync(lock), "the killed process left its lock file behind");
      assert.equal(Number(readFileSync(lock, "utf8")), service.proc.pid, "and it names the dead process");
      // The same port: the public URL (the JWTs' issuer) derives from it.
      service = await startService({ DATA_DIR: dataDir }, service.port);
      await assertRecovered(service, user.auth, prefix, outcomes);
    }
    assert.equal(await service.stop(), 0, "a clean stop after the crashes");
    assert.ok(!existsSync(path.join(dataDir, "pgdata.lock")), "a clean stop releases the lock");
    service = undefined;
  });
});

const unavailable = clusterUnavailable();
if (unavailable) process.stdout.write(`PostgreSQL process-fault test skipped: ${unavailable}\n`);

describe("kill -9 on PostgreSQL", { skip: unavailable ?? false }, () => {
  let cluster: ThrowawayCluster;
  let service: ServerProcess | undefined;
  before(async () => {
    cluster = await ThrowawayCluster.create();
  });
  after(async () => {
    if (service) await service.stop("SIGKILL");
    await cluster?.destroy();
  });

  test("acknowledged writes survive, nothing is half-written, retries store each write once", async () => {
    service = await startService({ DATABASE_URL: cluster.url, DATABASE_TIMEOUT_MS: "1000" });
    const user = await signUpOverHttp(service);
    const outcomes = await killDuringWrites(service, user.auth, "postgres", 60);
    service = await startService({ DATABASE_URL: cluster.url, DATABASE_TIMEOUT_MS: "1000" }, service.port);
    await assertRecovered(service, user.auth, "postgres", outcomes);
  });
});
