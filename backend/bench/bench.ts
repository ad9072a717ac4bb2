import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import type { ServerProcess } from "../test/support/server-process.ts";
import { analyze, benchDatabaseUrl, bulkInsertTasks, claimPostgresDatabase, countTasks, openDatabase, sampleTaskIds } from "./database.ts";
import type { Job, LoadUser } from "./jobs.ts";
import { type LoadPart, runLoad } from "./load.ts";
import { type BenchOptions, operations as operationOrder, parseOptions, UsageError, usage } from "./options.ts";
import { waitForQuiet } from "./proc.ts";
import { formatSeconds, note } from "./progress.ts";
import { type BenchReport, formatReport, headline, type PhaseReport, type SeedStep } from "./report.ts";
import { ApiClient, createTasksViaApi, fetchJwts, PASSWORD, type SeededUser, signUpUsers } from "./seed.ts";
import { type DatabaseChoice, ResourceSampler, startBenchServer, v8Memory } from "./server.ts";
import { combine, summarize } from "./stats.ts";

/** Users of one kind: how many, and how many tasks each. */
interface UserGroup {
  name: string;
  count: number;
  tasksEach: number;
}

const SQL_SEED_THRESHOLD = 20_000;
const emptySamples = () => ({ latencies: new Float64Array(0), statuses: {}, errors: {} });
const IDS_PER_USER = 20;

function groupsFor(options: BenchOptions): UserGroup[] {
  if (options.scenario === "big-user") {
    return [
      { name: "big", count: 1, tasksEach: options.tasksPerUser },
      { name: "small", count: 1, tasksEach: 100 },
    ];
  }
  return [{ name: "users", count: options.users, tasksEach: options.tasksPerUser }];
}

/** The big-user scenario's queries: first pages under the sort keys, search, filters, and the 100-task user's first page. */
function bigUserQueries(limit: number): { name: string; owner: "big" | "small"; query: string }[] {
  const now = new Date();
  const week = new Date(now.getTime() + 7 * 86_400_000);
  const q = (name: string, query: string, owner: "big" | "small" = "big") => ({ name: `${owner}: ${name}`, owner, query });
  return [
    q("-created_at", "sort=-created_at"),
    q("created_at", "sort=created_at"),
    q("-updated_at", "sort=-updated_at"),
    q("due_at", "sort=due_at"),
    q("-due_at", "sort=-due_at"),
    q("-priority", "sort=-priority"),
    q("title", "sort=title"),
    q("q=invoice (5 %)", "q=invoice"),
    q("q=zephyr (0.1 %)", "q=zephyr"),
    q("q=no match", "q=nothing-matches-this"),
    q("status=pending", "status=pending"),
    q("status=completed", "status=completed"),
    q("priority=high", "priority=high"),
    q("tag=urgent", "tag=urgent"),
    q("tag=work&tag=urgent", "tag=work&tag=urgent"),
    q("overdue=true", "overdue=true"),
    q(
      "due in 7 days",
      `due_after=${encodeURIComponent(now.toISOString())}&due_before=${encodeURIComponent(week.toISOString())}&sort=due_at`,
    ),
    q("-created_at", "sort=-created_at", "small"),
    q("q=invoice", "q=invoice", "small"),
  ].map((x) => ({ ...x, query: `${x.query}&limit=${limit}` }));
}

function describeCommand(argv: string[]): string {
  const quote = (a: string) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  return ["npm run bench --", ...argv.map(quote)].join(" ");
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  let options: BenchOptions | "help";
  try {
    options = parseOptions(argv, process.env);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      process.stderr.write(`bench: ${(err as Error).message}\n\n${usage}`);
      return 2;
    }
    throw err;
  }
  if (options === "help") {
    process.stdout.write(usage);
    return 0;
  }
  const opts = options;

  const tmp = mkdtempSync(path.join(tmpdir(), "doable-bench-"));
  const logFile = path.join(tmp, "server.log");
  let database: DatabaseChoice;
  let releaseDatabase: () => Promise<void> = async () => {};
  let databaseDescription: string;
  if (opts.databaseUrl) {
    let target: ReturnType<typeof benchDatabaseUrl>;
    try {
      target = benchDatabaseUrl(opts.databaseUrl);
      note(`PostgreSQL: dropping and re-creating database ${target.name} on ${target.where}`);
      releaseDatabase = (await claimPostgresDatabase(target.url, target.name)).release;
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      process.stderr.write(`bench: ${(err as Error).message}\n`);
      return 1;
    }
    database = { kind: "postgres", url: target.url };
    databaseDescription = `PostgreSQL, database ${target.name} on ${target.where} (re-created for this run)`;
  } else {
    database = { kind: "embedded", dataDir: path.join(tmp, "data") };
    databaseDescription = `embedded PostgreSQL (PGlite) in a fresh ${database.dataDir}`;
  }
  if (opts.cpuProfDir) mkdirSync(opts.cpuProfDir, { recursive: true });

  if (opts.serverEntry === "dist/main.js") {
    // As npm start does: compile the server when the build is missing or older than its sources.
    const build = spawnSync(process.execPath, [path.join(import.meta.dirname, "../../scripts/build-if-needed.mjs")], { stdio: "inherit" });
    if (build.status !== 0) {
      rmSync(tmp, { recursive: true, force: true });
      await releaseDatabase();
      process.stderr.write("bench: building the server failed\n");
      return 1;
    }
  }

  const authSecret = randomBytes(32).toString("base64url");
  const serverSettings = { database, workers: opts.workers, authSecret, logFile, entry: opts.serverEntry };
  const groups = groupsFor(opts);
  const totalUsers = groups.reduce((s, g) => s + g.count, 0);
  const totalTasks = groups.reduce((s, g) => s + g.count * g.tasksEach, 0);
  const viaSql =
    opts.seed === "sql" ||
    (opts.seed === "auto" && (opts.scenario === "big-user" || opts.scenario === "many-users" || totalTasks > SQL_SEED_THRESHOLD));
  const notes: string[] = [];
  let server: ServerProcess | null = null;

  try {
    // 1. Users (and, for small runs, tasks) through the API, on a server whose password hashing may use every core.
    note(`starting the server (${databaseDescription}) to create ${totalUsers.toLocaleString("en-US")} users`);
    server = await startBenchServer({ ...serverSettings, env: { PASSWORD_HASH_CONCURRENCY: String(opts.hashConcurrency) } });
    let api = new ApiClient(server.origin, 64);
    const signUps = await signUpUsers(api, totalUsers, Math.max(8, opts.hashConcurrency * 4));
    const users: SeededUser[] = signUps.users;
    const usersStep: SeedStep = {
      count: totalUsers,
      via: "api",
      seconds: signUps.seconds,
      perSecond: Math.round((totalUsers / signUps.seconds) * 10) / 10,
    };
    const groupUsers = new Map<string, SeededUser[]>();
    let offset = 0;
    for (const g of groups) {
      groupUsers.set(g.name, users.slice(offset, offset + g.count));
      offset += g.count;
    }

    let tasksSeconds = 0;
    if (!viaSql && totalTasks > 0) {
      const jwts = await fetchJwts(api, users, 32);
      offset = 0;
      for (const g of groups) {
        tasksSeconds += await createTasksViaApi(api, jwts.slice(offset, offset + g.count), g.tasksEach, 64);
        offset += g.count;
      }
    }
    await api.close();
    await server.stop();
    server = null;

    // 2. Bulk tasks (when asked), fresh statistics, and a sample of each user's task ids — straight in the database.
    const db = await openDatabase(database);
    const ids = new Map<string, string[]>();
    try {
      if (viaSql) {
        for (const g of groups) {
          const owners = (groupUsers.get(g.name) ?? []).map((u) => u.id);
          tasksSeconds += await bulkInsertTasks(db, owners, g.tasksEach, `tasks (SQL, ${g.name})`);
        }
      }
      const started = performance.now();
      await analyze(db);
      const sample = await sampleTaskIds(
        db,
        users.map((u) => u.id),
        IDS_PER_USER,
      );
      for (const [k, v] of sample) ids.set(k, v);
      const stored = await countTasks(db);
      notes.push(
        `${stored.toLocaleString("en-US")} tasks stored; VACUUM ANALYZE and id sampling took ${formatSeconds((performance.now() - started) / 1000)}`,
      );
    } finally {
      await db.close();
    }
    const tasksStep: SeedStep = {
      count: totalTasks,
      via: viaSql ? "sql" : "api",
      seconds: tasksSeconds,
      perSecond: tasksSeconds > 0 ? Math.round(totalTasks / tasksSeconds) : 0,
    };

    // 3. The measured server: a fresh process (its memory is the load's), default settings.
    note(`starting the measured server${opts.cpuProfDir ? ` (node --cpu-prof → ${opts.cpuProfDir})` : ""}`);
    server = await startBenchServer({ ...serverSettings, cpuProfDir: opts.cpuProfDir });
    api = new ApiClient(server.origin, 32);
    const jwts = await fetchJwts(api, users, 32);
    await api.close();
    const jwtOf = new Map(users.map((u, i) => [u.id, jwts[i] as string]));
    const loadUsers = (list: SeededUser[]): LoadUser[] =>
      list.map((u) => ({ jwt: jwtOf.get(u.id) as string, taskIds: ids.get(u.id) ?? [] }));

    const phases: PhaseReport[] = [];
    const runPhase = async (name: string, request: string | null, parts: LoadPart[], warmupS: number, durationS: number) => {
      const running = server as ServerProcess;
      if (opts.quietBelow !== null) {
        const started = performance.now();
        const { quiet, busy } = await waitForQuiet(opts.quietBelow, 30 * 60_000);
        const waited = formatSeconds((performance.now() - started) / 1000);
        note(
          quiet
            ? `${name}: machine quiet (${busy.toFixed(0)}% busy) after ${waited}`
            : `${name}: still ${busy.toFixed(0)}% busy after ${waited}; measuring anyway`,
        );
      }
      const sampler = new ResourceSampler(running.pid, database.kind === "postgres");
      note(`${name}: ${warmupS} s warm-up, ${durationS} s measured…`);
      const result = await runLoad(
        running.origin,
        parts,
        { warmupMs: warmupS * 1000, durationMs: durationS * 1000 },
        { measureStart: () => sampler.start(), measureEnd: () => sampler.finish() },
      );
      const usage = sampler.usage(result.generatorCpuSeconds, await v8Memory(running.origin));
      const operations: PhaseReport["operations"] = {};
      const taskSamples = [];
      const order = (op: string) => {
        const i = (operationOrder as readonly string[]).indexOf(op);
        return i === -1 ? operationOrder.length : i;
      };
      for (const [op, samples] of [...result.ops].sort(([a], [b]) => order(a) - order(b))) {
        if (op === "sign-in") continue;
        operations[op] = summarize(samples, durationS);
        taskSamples.push(samples);
      }
      const expected = parts.flatMap((p) =>
        p.job.kind === "mixed" ? operationOrder.filter((op) => opts.mix[op] > 0) : p.job.kind === "query" ? [p.job.name] : [],
      );
      for (const op of expected) operations[op] ??= summarize(emptySamples(), durationS);
      const signin = result.ops.get("sign-in") ?? (parts.some((p) => p.job.kind === "signin") ? emptySamples() : undefined);
      phases.push({
        name,
        request,
        warmupS,
        durationS,
        operations,
        all: summarize(combine(taskSamples), durationS),
        signin: signin ? summarize(signin, durationS) : null,
        resources: usage,
      });
      return result.generatorProcesses;
    };

    let generatorProcesses = 0;
    const mixed: Job = { kind: "mixed", users: loadUsers(users), mix: opts.mix, listLimit: opts.listLimit };
    if (opts.scenario === "big-user") {
      const queries = bigUserQueries(opts.listLimit);
      const per = Math.max(2, Math.round((opts.durationS / queries.length) * 10) / 10);
      notes.push(
        `big-user: each of ${queries.length} queries runs alone for ${per} s (--duration ${opts.durationS} split, at least 2 s each)`,
      );
      for (const [i, query] of queries.entries()) {
        const owner = groupUsers.get(query.owner)?.[0] as SeededUser;
        const path = `/api/tasks?${query.query}`;
        const job: Job = { kind: "query", name: query.name, path, jwt: jwtOf.get(owner.id) as string };
        generatorProcesses = await runPhase(
          query.name,
          path,
          [{ job, connections: opts.connections, processes: opts.generators }],
          i === 0 ? opts.warmupS : Math.min(opts.warmupS, 0.5),
          per,
        );
      }
    } else if (opts.scenario === "signin-storm") {
      const storm: Job = { kind: "signin", emails: users.map((u) => u.email), password: PASSWORD };
      generatorProcesses = await runPhase(
        "mixed + sign-in storm",
        null,
        [
          { job: mixed, connections: opts.connections, processes: opts.generators },
          { job: storm, connections: opts.signinClients, processes: 1 },
        ],
        opts.warmupS,
        opts.durationS,
      );
    } else {
      generatorProcesses = await runPhase(
        "mixed",
        null,
        [{ job: mixed, connections: opts.connections, processes: opts.generators }],
        opts.warmupS,
        opts.durationS,
      );
    }

    await server.stop();
    server = null;

    const cpu = cpus();
    const report: BenchReport = {
      tool: "doable-bench",
      date: new Date().toISOString(),
      command: describeCommand(argv),
      scenario: opts.scenario,
      machine: {
        cpus: cpu.length,
        model: cpu[0]?.model.trim() ?? "unknown",
        memoryMb: Math.round(totalmem() / 1_048_576),
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
      },
      database: { kind: database.kind === "postgres" ? "postgresql" : "embedded", description: databaseDescription },
      server: {
        entry: opts.serverEntry,
        workers: opts.workers,
        hashConcurrencyWhileSeeding: opts.hashConcurrency,
        cpuProfiles: opts.cpuProfDir,
      },
      seeding: { users: usersStep, tasks: tasksStep, notes },
      load: {
        connections: opts.connections,
        warmupS: opts.warmupS,
        durationS: phases.length === 1 ? opts.durationS : (phases[0]?.durationS ?? opts.durationS),
        generatorProcesses,
        listLimit: opts.listLimit,
        mix: opts.scenario === "big-user" ? null : opts.mix,
        signinClients: opts.scenario === "signin-storm" ? opts.signinClients : null,
      },
      phases,
      summary: headline(phases),
    };
    process.stdout.write(`\n${formatReport(report)}\n`);
    if (opts.jsonFile) {
      writeFileSync(opts.jsonFile, `${JSON.stringify(report, null, 2)}\n`);
      note(`results written to ${opts.jsonFile}`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`\nbench: ${(err as Error).stack ?? String(err)}\n`);
    if (server) process.stderr.write(`server log (last lines):\n${server.tail(30)}\n`);
    return 1;
  } finally {
    await server?.stop();
    await releaseDatabase();
    if (opts.keep) note(`kept ${tmp}`);
    else rmSync(tmp, { recursive: true, force: true });
  }
}

process.exitCode = await main();
