import { availableParallelism } from "node:os";
import { parseArgs } from "node:util";

export const scenarios = ["mixed", "big-user", "many-users", "signin-storm", "lists", "shared-list"] as const;
export type Scenario = (typeof scenarios)[number];

export const operations = ["list", "get", "create", "update", "toggle"] as const;
export type Operation = (typeof operations)[number];
export type Mix = Record<Operation, number>;

export type SeedMode = "auto" | "api" | "sql";

export interface BenchOptions {
  scenario: Scenario;
  /** Ordinary users (big-user: ignored; it always has one big and one 100-task user; shared-list: the list's members besides its owner). */
  users: number;
  /** Tasks per ordinary user; for big-user, the big user's task count; for lists, the big list's; for shared-list, each of its two lists'. */
  tasksPerUser: number;
  connections: number;
  durationS: number;
  warmupS: number;
  mix: Mix;
  /** WEB_CONCURRENCY of the server under test. */
  workers: number;
  listLimit: number;
  /** null: the embedded database (PGlite) in a fresh temporary DATA_DIR. */
  databaseUrl: string | null;
  seed: SeedMode;
  /** Load-generator processes. */
  generators: number;
  signinClients: number;
  /** PASSWORD_HASH_CONCURRENCY of the server while users are being created (the measured server keeps its default). */
  hashConcurrency: number;
  jsonFile: string | null;
  cpuProfDir: string | null;
  keep: boolean;
  /** The server's entry file: the compiled build (as npm start runs it), or a .ts file through tsx. */
  serverEntry: string;
  /** Before measuring, wait (up to 30 min) until the machine's CPU use is below this % (shared machines); null: don't wait. */
  quietBelow: number | null;
}

export const usage = `Usage: npm run bench -- [options]

Starts Doable on a free port (embedded database in a temporary DATA_DIR, or
PostgreSQL when --database-url / DATABASE_URL is set), creates users through the
API and tasks (API or bulk SQL), runs a closed-loop load and prints a table.

  --scenario NAME        mixed (default) | big-user | many-users | signin-storm | lists | shared-list
  --users N              users (default 100; many-users 10000; lists 10, each with 20 lists;
                         shared-list: the shared list's members besides its owner, 50)
  --tasks-per-user N     tasks per user (default 100; big-user: the big user's tasks, 100000;
                         lists: the tasks of the first user's big list, 10000;
                         shared-list: the tasks of the shared list and of the private one, 10000 each)
  --connections N        concurrent connections of the load (default 64)
  --duration S           measured seconds (default 30; big-user, lists: split across their requests, at least 2 s each)
  --warmup S             unmeasured seconds before measuring (default 3)
  --mix SPEC             list=60,get=20,create=10,update=5,toggle=5 (shared-list has its own,
                         fixed: 80 % reads; docs/PERFORMANCE.md)
  --workers N            WEB_CONCURRENCY of the server (PostgreSQL only; default 1)
  --list-limit N         limit= of list requests (default 100)
  --database-url URL     PostgreSQL to use (default: $DATABASE_URL, else the embedded database).
                         The bench drops and re-creates the URL's database, whose name must
                         contain "bench" (no database or "postgres" in the URL: doable_bench)
  --seed MODE            auto (default) | api | sql  (how tasks are created; users always via the API)
  --generators N         load-generator processes (default 1)
  --signin-clients N     signin-storm: clients signing in continuously (default 50)
  --hash-concurrency N   password hashes at once while creating users (default: CPU count)
  --json FILE            also write the results as JSON
  --cpu-prof DIR         run the measured server with node --cpu-prof, profiles into DIR
  --keep                 keep the embedded database's temporary directory
  --server-entry FILE    start the server from FILE instead of dist/main.js, the compiled
                         build npm start runs (built first when missing or stale); a .ts
                         file such as src/main.ts runs through tsx
  --quiet-below PCT      before each measurement, wait until other work on the machine uses
                         less than PCT % of all cores (shared machines; at most 30 min)
  --help
`;

export class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new UsageError(`--${name} must be a whole number ≥ ${min}, got "${raw}"`);
  return Number(raw);
}

function seconds(name: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min) throw new UsageError(`--${name} must be a number of seconds ≥ ${min}, got "${raw}"`);
  return value;
}

export const defaultMix: Mix = { list: 60, get: 20, create: 10, update: 5, toggle: 5 };

export function parseMix(spec: string): Mix {
  const mix: Mix = { list: 0, get: 0, create: 0, update: 0, toggle: 0 };
  for (const part of spec.split(",")) {
    const match = /^\s*([a-z]+)\s*=\s*(\d+(?:\.\d+)?)\s*$/.exec(part);
    const name = match?.[1] as Operation | undefined;
    if (!match || !name || !operations.includes(name)) {
      throw new UsageError(`--mix: "${part}" is not one of ${operations.map((o) => `${o}=N`).join(", ")}`);
    }
    mix[name] = Number(match[2]);
  }
  if (Object.values(mix).every((w) => w === 0)) throw new UsageError("--mix: at least one operation needs a weight above 0");
  return mix;
}

export function parseOptions(argv: string[], env: Record<string, string | undefined>): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      scenario: { type: "string" },
      users: { type: "string" },
      "tasks-per-user": { type: "string" },
      connections: { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      mix: { type: "string" },
      workers: { type: "string" },
      "list-limit": { type: "string" },
      "database-url": { type: "string" },
      seed: { type: "string" },
      generators: { type: "string" },
      "signin-clients": { type: "string" },
      "hash-concurrency": { type: "string" },
      json: { type: "string" },
      "cpu-prof": { type: "string" },
      keep: { type: "boolean" },
      "quiet-below": { type: "string" },
      "server-entry": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return "help";

  const scenario = (values.scenario ?? "mixed") as Scenario;
  if (!scenarios.includes(scenario)) throw new UsageError(`--scenario must be one of ${scenarios.join(", ")}`);
  if (scenario === "shared-list" && values.mix !== undefined) {
    throw new UsageError("--mix does not apply to shared-list: its mix of reads and writes is fixed (docs/PERFORMANCE.md)");
  }
  const seed = (values.seed ?? "auto") as SeedMode;
  if (!["auto", "api", "sql"].includes(seed)) throw new UsageError("--seed must be auto, api or sql");

  const databaseUrl = values["database-url"] ?? (env.DATABASE_URL?.trim() || null);
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new UsageError(`--database-url must be a postgres:// URL (leave it out for the embedded database), got "${databaseUrl}"`);
  }
  const workers = positiveInt("workers", values.workers, 1);
  if (workers > 1 && databaseUrl === null)
    throw new UsageError("--workers above 1 needs PostgreSQL (--database-url): the embedded database is one process");

  const listLimit = positiveInt("list-limit", values["list-limit"], 100);
  if (listLimit > 200) throw new UsageError("--list-limit must be at most 200 (the API's maximum)");

  return {
    scenario,
    users: positiveInt(
      "users",
      values.users,
      scenario === "many-users" ? 10_000 : scenario === "lists" ? 10 : scenario === "shared-list" ? 50 : 100,
    ),
    tasksPerUser: positiveInt(
      "tasks-per-user",
      values["tasks-per-user"],
      scenario === "big-user" ? 100_000 : scenario === "lists" || scenario === "shared-list" ? 10_000 : 100,
      0,
    ),
    connections: positiveInt("connections", values.connections, 64),
    durationS: seconds("duration", values.duration, 30, 1),
    warmupS: seconds("warmup", values.warmup, 3, 0),
    mix: values.mix ? parseMix(values.mix) : defaultMix,
    workers,
    listLimit,
    databaseUrl,
    seed,
    generators: positiveInt("generators", values.generators, 1),
    signinClients: positiveInt("signin-clients", values["signin-clients"], 50),
    hashConcurrency: positiveInt("hash-concurrency", values["hash-concurrency"], availableParallelism()),
    jsonFile: values.json ?? null,
    cpuProfDir: values["cpu-prof"] ?? null,
    keep: values.keep ?? false,
    serverEntry: values["server-entry"] ?? "dist/main.js",
    quietBelow: values["quiet-below"] === undefined ? null : seconds("quiet-below", values["quiet-below"], 0, 1),
  };
}
