/**
 * Fault-test machinery: a throwaway PostgreSQL 15 cluster of the test's own
 * (never the machine's main one), the service as a real process, and a load
 * of writes whose every outcome is recorded.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { chown } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
export const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
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

export interface Service {
  url: string;
  proc: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal) once the process has gone. */
  exited: Promise<number | string>;
}

/**
 * Starts `node --import tsx src/main.ts` with only the given settings (plus
 * PATH/HOME) and waits until /readyz answers 200.
 */
export async function startService(settings: Record<string, string>, port?: number): Promise<Service> {
  const listen = port ?? (await freePort());
  const proc = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: backendDir,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      HOST: "127.0.0.1",
      PORT: String(listen),
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      RATE_LIMIT: "off",
      STATIC_DIR: "off",
      BETTER_AUTH_SECRET: "fault-secret-fault-secret-fault-secret-01",
      ...settings,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout?.on("data", (d) => {
    out += d;
  });
  proc.stderr?.on("data", (d) => {
    out += d;
  });
  const exited = new Promise<number | string>((resolve) => proc.on("exit", (code, signal) => resolve(code ?? signal ?? "?")));
  const service: Service = { url: `http://127.0.0.1:${listen}`, proc, output: () => out, exited };
  const deadline = Date.now() + 90_000;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline) {
    if (gone) throw new Error(`the service exited during start-up:\n${out}`);
    const res = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(2000) }).catch(() => null);
    if (res?.status === 200) return service;
    await sleep(100);
  }
  proc.kill("SIGKILL");
  throw new Error(`the service did not become ready:\n${out}`);
}

export async function stopService(service: Service, signal: NodeJS.Signals = "SIGTERM"): Promise<number | string> {
  if (service.proc.exitCode === null && service.proc.signalCode === null) service.proc.kill(signal);
  return service.exited;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Signs up over HTTP and fetches a JWT, as a client would. */
export async function signUpOverHttp(url: string): Promise<{ id: string; jwt: string; auth: Record<string, string> }> {
  const email = `fault-${Date.now()}-${Math.random().toString(16).slice(2)}@example.com`;
  const res = await fetch(`${url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url },
    body: JSON.stringify({ email, password: "fault password 1", name: "Fault" }),
  });
  if (res.status !== 200) throw new Error(`sign-up: ${res.status} ${await res.text()}`);
  const session = String(res.headers.get("set-auth-token"));
  const id = ((await res.json()) as { user: { id: string } }).user.id;
  const token = await fetch(`${url}/api/auth/token`, { headers: { authorization: `Bearer ${session}` } });
  const { token: jwt } = (await token.json()) as { token: string };
  return { id, jwt, auth: { authorization: `Bearer ${jwt}` } };
}

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
