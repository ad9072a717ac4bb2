/**
 * Fault-test machinery: a throwaway PostgreSQL 15 cluster of the test's own
 * (never the machine's main one), the service as a real process
 * (support/server-process.ts) configured by nothing but the test's settings,
 * and a load of writes whose every outcome is recorded.
 */
import { execFile, execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { chown } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { freePort, type ServerProcess, startServer } from "./support/server-process.ts";

const run = promisify(execFile);
const pgBin = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const asRoot = process.getuid?.() === 0;

/** Why a throwaway cluster cannot be made here, or null when it can. */
export function clusterUnavailable(): string | null {
  for (const tool of ["initdb", "pg_ctl"]) {
    if (!existsSync(path.join(pgBin, tool))) return `${path.join(pgBin, tool)} is missing (set PG_BIN to PostgreSQL's bin directory)`;
  }
  if (asRoot) {
    try {
      execFileSync("id", ["-u", "postgres"], { stdio: "ignore" });
      execFileSync("runuser", ["--help"], { stdio: "ignore" });
    } catch {
      return "running as root, and initdb refuses root, but there is no postgres user or no runuser to switch to it";
    }
  }
  return null;
}

/** PostgreSQL's tools refuse root: as root they run as the postgres user. */
const pgTool = (tool: string, args: string[]) =>
  asRoot ? run("runuser", ["-u", "postgres", "--", path.join(pgBin, tool), ...args]) : run(path.join(pgBin, tool), args);

/** A PostgreSQL cluster in a temporary directory, on a free port, for one test file. */
export class ThrowawayCluster {
  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  static async create(): Promise<ThrowawayCluster> {
    const dir = mkdtempSync(path.join(tmpdir(), "doable-pg-"));
    if (asRoot) {
      const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
      const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
      await chown(dir, uid, gid);
    }
    await pgTool("initdb", ["-D", path.join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
    const cluster = new ThrowawayCluster(dir, await freePort());
    await cluster.start();
    return cluster;
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Returns once the server accepts connections. */
  async start(): Promise<void> {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1`;
    await pgTool("pg_ctl", ["-D", path.join(this.dir, "data"), "-o", options, "-l", path.join(this.dir, "log"), "-w", "-t", "60", "start"]);
  }

  /** `immediate` is a crash: no checkpoint, connections cut, WAL replayed at the next start. */
  async stop(mode: "fast" | "immediate" = "immediate"): Promise<void> {
    await pgTool("pg_ctl", ["-D", path.join(this.dir, "data"), "-m", mode, "-w", "-t", "60", "stop"]);
  }

  async destroy(): Promise<void> {
    // A test that failed while the server was frozen (SIGSTOP) must not leave it behind.
    try {
      const postmaster = Number(readFileSync(path.join(this.dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
      if (postmaster > 0) process.kill(postmaster, "SIGCONT");
    } catch {
      // Not running.
    }
    await this.stop("immediate").catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Starts the service with only the given settings (plus PATH and HOME and a
 * fixed secret, so sessions survive a restart) and waits until it serves.
 */
export function startService(settings: Record<string, string>, port?: number): Promise<ServerProcess> {
  return startServer({
    inheritEnv: false,
    env: { BETTER_AUTH_SECRET: "fault-secret-fault-secret-fault-secret-01", ...settings },
    ...(port !== undefined ? { port } : {}),
  });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface WriteOutcome {
  seq: number;
  title: string;
  key: string;
  /** The HTTP status, or "lost" when the connection failed (the outcome is unknown). */
  status: number | "lost";
  id?: string;
  contentType?: string;
  body?: string;
  startedAt: number;
  ms: number;
}

export const taskBody = (seq: number, title: string) => ({
  title,
  description: `written by request ${seq}`,
  tags: ["load", `n${seq % 7}`],
  priority: (["none", "low", "medium", "high"] as const)[seq % 4],
});

/**
 * Creates tasks from `concurrency` workers until stopped, each with its own
 * Idempotency-Key, recording every outcome. No request may take longer than
 * `hangAfterMs`: a request that does is recorded as lost, and counted as a hang.
 */
export function writeLoad(
  url: string,
  auth: Record<string, string>,
  options: { concurrency: number; prefix: string; hangAfterMs?: number },
) {
  const results: WriteOutcome[] = [];
  let seq = 0;
  let stopping = false;
  const worker = async () => {
    while (!stopping) {
      const n = seq++;
      const title = `${options.prefix}-${n}`;
      const key = `${options.prefix}-key-${n}`;
      const startedAt = Date.now();
      const outcome: WriteOutcome = { seq: n, title, key, status: "lost", startedAt, ms: 0 };
      try {
        const res = await fetch(`${url}/api/tasks`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json", "idempotency-key": key },
          body: JSON.stringify(taskBody(n, title)),
          signal: AbortSignal.timeout(options.hangAfterMs ?? 30_000),
        });
        outcome.status = res.status;
        outcome.contentType = res.headers.get("content-type") ?? "";
        outcome.body = await res.text();
        if (res.status === 201) outcome.id = (JSON.parse(outcome.body) as { id: string }).id;
      } catch {
        outcome.status = "lost";
      }
      outcome.ms = Date.now() - startedAt;
      results.push(outcome);
      if (outcome.status !== 201) await sleep(25);
    }
  };
  const workers = Array.from({ length: options.concurrency }, worker);
  return {
    results,
    async stop(): Promise<WriteOutcome[]> {
      stopping = true;
      await Promise.all(workers);
      return results;
    },
  };
}

/** Every task of the caller, through the API (keyset pages of 200). */
export async function allTasks(url: string, auth: Record<string, string>): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let next: string | null = `${url}/api/tasks?limit=200&sort=created_at`;
  while (next) {
    const res: Response = await fetch(next, { headers: auth });
    if (res.status !== 200) throw new Error(`list: ${res.status} ${await res.text()}`);
    out.push(...((await res.json()) as Record<string, unknown>[]));
    const link = res.headers.get("link");
    next = link ? (/<([^>]+)>;\s*rel="next"/.exec(link)?.[1] ?? null) : null;
    if (next) next = next.replace(/^https?:\/\/[^/]+/, url);
  }
  return out;
}

/**
 * Re-sends every create whose outcome the client never learned, with its
 * Idempotency-Key, as a careful client would after an outage.
 */
export async function retryUnknown(url: string, auth: Record<string, string>, outcomes: WriteOutcome[]): Promise<void> {
  for (const o of outcomes.filter((x) => x.status !== 201)) {
    const res = await fetch(`${url}/api/tasks`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json", "idempotency-key": o.key },
      body: JSON.stringify(taskBody(o.seq, o.title)),
    });
    if (res.status !== 201) throw new Error(`retry of ${o.title}: ${res.status} ${await res.text()}`);
  }
}
