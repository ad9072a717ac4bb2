/**
 * The service as a real process, for the tests that need one (start-up and
 * shutdown, faults, several instances), the bench and the browser tests: a
 * free port, spawn, wait until it is ready, stop, and sign up over HTTP.
 *
 * It lives under backend/test because it is test tooling: the production
 * build compiles backend/src alone (tsconfig.build.json), and this file
 * imports nothing but Node's own modules, so the bench and frontend/e2e can
 * import it without pulling in the app.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error("no port"))));
    });
  });
}

export interface ServerOptions {
  /** Settings on top of the test defaults (NODE_ENV=test, LOG_LEVEL=warn, RATE_LIMIT=off, STATIC_DIR=off). */
  env?: Record<string, string>;
  /**
   * Start from this process's environment (the default), or from PATH and
   * HOME alone, so that nothing but `env` configures the service.
   */
  inheritEnv?: boolean;
  /** Defaults to a free port; PORT in `env` wins (to test a bad one). */
  port?: number;
  /** The entry point, relative to backend/ or absolute; `.ts` runs through tsx. Default src/main.ts. */
  entry?: string;
  /** Node's own flags (heap sizes, --cpu-prof …). */
  nodeArgs?: string[];
  /** Also append everything the process writes to this file. */
  logFile?: string;
}

/** How a process ended: its exit code, or the signal that ended it. */
export type ExitStatus = number | NodeJS.Signals;

// main.ts prints this once it listens, after the migrations ran (SPEC §1: it prints the URL).
const readyBanner = /Doable is running at /;
const keptOutput = 256 * 1024;

/** One service process. `spawnServer` starts it; `ready()` waits until it serves. */
export class ServerProcess {
  readonly url: string;
  /** The public URL (BETTER_AUTH_URL): the origin Better Auth trusts and the JWT issuer. */
  readonly origin: string;
  /** Settles once the process has ended and its output has been read. */
  readonly exited: Promise<ExitStatus>;
  private text = "";
  private readonly watchers = new Set<() => void>();
  private status: ExitStatus | null = null;

  private constructor(
    readonly proc: ChildProcess,
    readonly port: number,
    origin: string | undefined,
    logFile: string | undefined,
  ) {
    this.url = `http://127.0.0.1:${port}`;
    this.origin = origin ?? this.url;
    const log = logFile ? createWriteStream(logFile, { flags: "a" }) : null;
    for (const stream of [proc.stdout, proc.stderr]) {
      stream?.setEncoding("utf8");
      stream?.on("data", (chunk: string) => {
        this.text = (this.text + chunk).slice(-keptOutput);
        log?.write(chunk);
        this.notify();
      });
    }
    this.exited = new Promise((resolve) => {
      proc.once("close", (code, signal) => {
        this.status = code ?? signal ?? "SIGKILL";
        log?.end();
        this.notify();
        resolve(this.status);
      });
    });
  }

  /** Starts the service without waiting for it (a test of start-up failures awaits `exited`). */
  static async spawn(options: ServerOptions = {}): Promise<ServerProcess> {
    const port = options.port ?? (await freePort());
    const base = options.inheritEnv === false ? { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" } : process.env;
    const env: Record<string, string | undefined> = {
      ...base,
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "warn",
      RATE_LIMIT: "off",
      STATIC_DIR: "off",
      // .env is read from INIT_CWD (npm sets it to where npm ran): keep a developer's .env out of tests.
      INIT_CWD: backendDir,
      ...options.env,
    };
    const entry = options.entry ?? "src/main.ts";
    const loader = entry.endsWith(".ts") ? ["--import", "tsx"] : [];
    const proc = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, entry], {
      cwd: backendDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new ServerProcess(proc, port, env.BETTER_AUTH_URL || undefined, options.logFile);
  }

  get pid(): number {
    return this.proc.pid ?? -1;
  }

  /** Everything the process wrote to stdout and stderr (the last 256 KB). */
  output(): string {
    return this.text;
  }

  tail(lines = 40): string {
    return this.text.trimEnd().split("\n").slice(-lines).join("\n");
  }

  private notify(): void {
    for (const watcher of [...this.watchers]) watcher();
  }

  /**
   * Resolves once the output matches `pattern` (a line it printed, a log
   * message); rejects if the process ends first, or after `timeoutMs`.
   */
  waitForOutput(pattern: RegExp, timeoutMs = 90_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no ${pattern} after ${timeoutMs} ms:\n${this.tail()}`)), timeoutMs);
      const check = () => {
        if (pattern.test(this.text)) finish(null);
        else if (this.status !== null) finish(new Error(`the server ended (${this.status}) before printing ${pattern}:\n${this.tail()}`));
      };
      const finish = (err: Error | null) => {
        clearTimeout(timer);
        this.watchers.delete(check);
        if (err) reject(err);
        else resolve();
      };
      this.watchers.add(check);
      check();
    });
  }

  /** Waits for the start-up banner, then checks /readyz answers 200; a server that never gets there is killed. */
  async ready(timeoutMs = 90_000): Promise<this> {
    try {
      await this.waitForOutput(readyBanner, timeoutMs);
      const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`/readyz answered ${res.status}: ${await res.text()}`);
    } catch (err) {
      await this.stop("SIGKILL");
      throw err;
    }
    return this;
  }

  /** Sends `signal` (SIGTERM drains) and resolves with how the process ended; SIGKILL after `killAfterMs`. */
  async stop(signal: NodeJS.Signals = "SIGTERM", killAfterMs = 30_000): Promise<ExitStatus> {
    if (this.status === null && this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill("SIGKILL"), killAfterMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Starts the service without waiting for it (a test of start-up failures awaits `exited`). */
export const spawnServer = (options: ServerOptions = {}) => ServerProcess.spawn(options);

/** Starts the service and resolves once it serves. */
export async function startServer(options: ServerOptions = {}, readyTimeoutMs?: number): Promise<ServerProcess> {
  return (await spawnServer(options)).ready(readyTimeoutMs);
}

export interface HttpUser {
  id: string;
  email: string;
  password: string;
  sessionToken: string;
  jwt: string;
  auth: { authorization: string };
}

let signUps = 0;

/** Signs up over HTTP and fetches a JWT, as a client would. */
export async function signUpOverHttp(
  server: Pick<ServerProcess, "url" | "origin">,
  account: { email?: string; password?: string; name?: string } = {},
): Promise<HttpUser> {
  signUps++;
  const email = account.email ?? `proc-${process.pid}-${signUps}-${Math.random().toString(36).slice(2, 8)}@example.com`;
  const password = account.password ?? "a good password 1";
  const res = await fetch(`${server.url}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.origin },
    body: JSON.stringify({ email, password, name: account.name ?? "Process Test" }),
  });
  if (res.status !== 200) throw new Error(`sign-up: ${res.status} ${await res.text()}`);
  const sessionToken = String(res.headers.get("set-auth-token"));
  const id = ((await res.json()) as { user: { id: string } }).user.id;
  const token = await fetch(`${server.url}/api/auth/token`, { headers: { authorization: `Bearer ${sessionToken}` } });
  if (token.status !== 200) throw new Error(`token: ${token.status} ${await token.text()}`);
  const { token: jwt } = (await token.json()) as { token: string };
  return { id, email, password, sessionToken, jwt, auth: { authorization: `Bearer ${jwt}` } };
}
