import { request } from "undici";
import { freePort, type ServerProcess, startServer } from "../test/support/server-process.ts";
import { cpuSeconds, machineCpu, postgresCpuSeconds, processTree, statusKb } from "./proc.ts";

export { backendDir } from "../test/support/server-process.ts";

export type DatabaseChoice = { kind: "embedded"; dataDir: string } | { kind: "postgres"; url: string };

export interface ServerSettings {
  database: DatabaseChoice;
  workers: number;
  /** The same secret across restarts keeps sessions and signing keys valid. */
  authSecret: string;
  logFile: string;
  /** Extra environment (PASSWORD_HASH_CONCURRENCY while seeding, say). */
  env?: Record<string, string>;
  cpuProfDir?: string | null;
  /** Relative to the backend directory; .ts runs through tsx. */
  entry: string;
}

/** Node's flags in backend/package.json's "start" script (bench-smoke.test.ts checks they agree). */
export const serverNodeFlags = ["--max-semi-space-size=8", "--max-old-space-size=160"];

/** The service under test, run as `npm start` runs it (node dist/main.js) unless told otherwise, on a free port. */
export async function startBenchServer(settings: ServerSettings): Promise<ServerProcess> {
  const port = await freePort();
  return startServer(
    {
      port,
      entry: settings.entry,
      logFile: settings.logFile,
      nodeArgs: [
        ...serverNodeFlags,
        ...(process.env.BENCH_EXTRA_NODE_FLAGS?.split(" ") ?? []),
        ...(settings.cpuProfDir ? ["--cpu-prof", "--cpu-prof-dir", settings.cpuProfDir] : []),
      ],
      env: {
        NODE_ENV: "production",
        BETTER_AUTH_URL: `http://127.0.0.1:${port}`,
        BETTER_AUTH_SECRET: settings.authSecret,
        WEB_CONCURRENCY: String(settings.workers),
        // Long enough that tokens fetched before a long seeding step are still valid while measuring.
        JWT_EXPIRES_IN: "2h",
        ...(settings.database.kind === "postgres"
          ? { DATABASE_URL: settings.database.url }
          : { DATABASE_URL: "", DATA_DIR: settings.database.dataDir }),
        ...settings.env,
      },
    },
    180_000,
  );
}

/** V8's view of one server process's memory (from its /metrics), in MB. */
export interface V8Memory {
  heapTotal: number;
  heapUsed: number;
  external: number;
  /** The young generation (new space): sized by --max-semi-space-size. */
  newSpace: number | null;
  oldSpace: number | null;
  codeSpace: number | null;
}

/** Reads the heap figures prom-client publishes on /metrics (one process: with workers, whichever answers). */
export async function v8Memory(origin: string): Promise<V8Memory | null> {
  try {
    const res = await request(`${origin}/metrics`, { headersTimeout: 5_000, bodyTimeout: 5_000 });
    const text = await res.body.text();
    if (res.statusCode !== 200) return null;
    const metric = (pattern: string) => {
      const match = new RegExp(`^${pattern} ([0-9.e+]+)$`, "m").exec(text);
      return match ? Math.round(Number(match[1]) / 104_857.6) / 10 : null;
    };
    const heapTotal = metric("nodejs_heap_size_total_bytes");
    const heapUsed = metric("nodejs_heap_size_used_bytes");
    const external = metric("nodejs_external_memory_bytes");
    if (heapTotal === null || heapUsed === null || external === null) return null;
    return {
      heapTotal,
      heapUsed,
      external,
      newSpace: metric('nodejs_heap_space_size_total_bytes\\{space="new"\\}'),
      oldSpace: metric('nodejs_heap_space_size_total_bytes\\{space="old"\\}'),
      codeSpace: metric('nodejs_heap_space_size_total_bytes\\{space="code"\\}'),
    };
  } catch {
    return null;
  }
}

export interface ResourceUsage {
  /** Highest sum of VmRSS over the server's processes, sampled every 200 ms while measuring. */
  peakRssMb: number | null;
  /** Sum of each server process's VmHWM (lifetime peak, start-up and warm-up included) at the end. */
  hwmMb: number | null;
  processes: number;
  /** One server process's V8 heap right after the measured window. */
  v8: V8Memory | null;
  /** CPU time over the measured window, as % of one core; `machine` is % of all cores together. */
  cpu: {
    server: number | null;
    /** The part of `server` spent in the kernel (sockets, mostly). */
    serverSystem: number | null;
    postgres: number | null;
    generators: number | null;
    /** Everything else on the machine (the bench's own main process included): high means a noisy run. */
    other: number | null;
    machine: number | null;
  };
}

/** Samples the server's memory while measuring and its (and PostgreSQL's) CPU time over the window. */
export class ResourceSampler {
  private peakKb = 0;
  private timer: NodeJS.Timeout | null = null;
  private pids: number[] = [];
  private startCpu = { total: 0, system: 0 };
  private startPg = 0;
  private startedAt = 0;
  private startMachine: { busy: number; total: number } | null = null;

  constructor(
    private readonly serverPid: number,
    private readonly withPostgres: boolean,
  ) {}

  start(): void {
    this.pids = processTree(this.serverPid);
    this.startCpu = cpuSeconds(this.pids);
    this.startPg = this.withPostgres ? postgresCpuSeconds() : 0;
    this.startMachine = machineCpu();
    this.startedAt = performance.now();
    this.sample();
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    this.pids = processTree(this.serverPid);
    let kb = 0;
    for (const pid of this.pids) kb += statusKb(pid, "VmRSS") ?? 0;
    this.peakKb = Math.max(this.peakKb, kb);
  }

  private end: {
    wall: number;
    server: number;
    serverSystem: number;
    postgres: number;
    machine: { busy: number; total: number } | null;
  } | null = null;

  /** The end of the measured window: CPU counters are read now, memory sampling stops. */
  finish(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.sample();
    const endMachine = machineCpu();
    const cpu = cpuSeconds(this.pids);
    this.end = {
      wall: (performance.now() - this.startedAt) / 1000,
      server: cpu.total - this.startCpu.total,
      serverSystem: cpu.system - this.startCpu.system,
      postgres: this.withPostgres ? postgresCpuSeconds() - this.startPg : 0,
      machine:
        this.startMachine && endMachine
          ? { busy: endMachine.busy - this.startMachine.busy, total: endMachine.total - this.startMachine.total }
          : null,
    };
  }

  /** `generatorCpuSeconds`: what the load generators report they used over the window. */
  usage(generatorCpuSeconds: number | null, v8: V8Memory | null): ResourceUsage {
    if (!this.end) this.finish();
    const end = this.end as NonNullable<typeof this.end>;
    const pct = (s: number) => Math.round((s / end.wall) * 1000) / 10;
    let hwm = 0;
    for (const pid of this.pids) hwm += statusKb(pid, "VmHWM") ?? 0;
    const { machine } = end;
    const other = machine ? machine.busy - end.server - end.postgres - (generatorCpuSeconds ?? 0) : null;
    return {
      peakRssMb: this.peakKb > 0 ? Math.round(this.peakKb / 102.4) / 10 : null,
      hwmMb: hwm > 0 ? Math.round(hwm / 102.4) / 10 : null,
      processes: this.pids.length,
      v8,
      cpu: {
        server: this.peakKb > 0 ? pct(end.server) : null,
        serverSystem: this.peakKb > 0 ? pct(end.serverSystem) : null,
        postgres: this.withPostgres ? pct(end.postgres) : null,
        generators: generatorCpuSeconds === null ? null : pct(generatorCpuSeconds),
        other: other === null ? null : pct(Math.max(0, other)),
        machine: machine && machine.total > 0 ? Math.round((machine.busy / machine.total) * 1000) / 10 : null,
      },
    };
  }
}
