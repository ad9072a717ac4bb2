import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import path from "node:path";
import type { ServerProcess } from "../test/support/server-process.ts";
import {
  activitySince,
  analyze,
  benchDatabaseUrl,
  bulkInsertListTasks,
  bulkInsertTasks,
  claimPostgresDatabase,
  countTasks,
  lastActivityId,
  listsOf,
  longestKey,
  openDatabase,
  sampleListTaskIds,
  sampleTaskIds,
  shareList,
  taskVersions,
} from "./database.ts";
import { type Job, type LoadUser, type OpSamples, sharedListMix, sharedListOps } from "./jobs.ts";
import { type LoadPart, runLoad } from "./load.ts";
import { type BenchOptions, operations as operationOrder, parseOptions, UsageError, usage } from "./options.ts";
import { waitForQuiet } from "./proc.ts";
import { formatSeconds, note } from "./progress.ts";
import {
  type BenchReport,
  formatReport,
  headline,
  type MoveEvidence,
  type PhaseReport,
  type SeedStep,
  type SharingReport,
  sharingComparison,
} from "./report.ts";
import { ApiClient, createTasksViaApi, fetchJwts, PASSWORD, type SeededUser, signUpUsers } from "./seed.ts";
import { type DatabaseChoice, ResourceSampler, startBenchServer, v8Memory } from "./server.ts";
import { combine, type OpSummary, summarize } from "./stats.ts";

/** Users of one kind: how many, and how many tasks each. */
interface UserGroup {
  name: string;
  count: number;
  tasksEach: number;
}

const SQL_SEED_THRESHOLD = 20_000;
const emptySamples = () => ({ latencies: new Float64Array(0), statuses: {}, errors: {} });
const IDS_PER_USER = 20;

/** The lists scenario: every user has this many lists (the Inbox and the ones it creates)… */
const LISTS_PER_USER = 20;
/** …with this many tasks in each, but for the first user's big list (--tasks-per-user). */
const TASKS_PER_SMALL_LIST = 25;
const MOVED_TASKS_SAMPLE = 500;

/** The shared-list scenario: every user's Inbox holds this many tasks (their own, beside the big list)… */
const SHARED_INBOX_TASKS = 25;
/** …and this many of each big list's tasks are the first targets of PATCH and complete (creates add to them). */
const SHARED_WRITE_TARGETS = 500;

function groupsFor(options: BenchOptions): UserGroup[] {
  if (options.scenario === "lists") return [{ name: "users", count: options.users, tasksEach: 0 }];
  // The shared list's owner, the private list's owner, then the shared list's members.
  if (options.scenario === "shared-list") return [{ name: "users", count: options.users + 2, tasksEach: 0 }];
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

/** The lists scenario's requests, each measured alone (the move phase sits between the reads and the views). */
function listsRequests(limit: number, bigList: string, bigTasks: number, smallList: string): { name: string; path: string }[] {
  return [
    { name: `GET /api/lists (${LISTS_PER_USER} lists)`, path: "/api/lists" },
    {
      name: `first page by position, ${bigTasks.toLocaleString("en-US")}-task list`,
      path: `/api/tasks?list_id=${bigList}&parent_id=none&sort=position&limit=${limit}`,
    },
    {
      name: `first page by position, ${TASKS_PER_SMALL_LIST}-task list`,
      path: `/api/tasks?list_id=${smallList}&parent_id=none&sort=position&limit=${limit}`,
    },
    { name: `view=today (all ${LISTS_PER_USER} lists)`, path: `/api/tasks?view=today&limit=${limit}` },
    { name: `view=upcoming (all ${LISTS_PER_USER} lists)`, path: `/api/tasks?view=upcoming&limit=${limit}` },
  ];
}

/** Moves the server answered 200 so far, from its /metrics. */
async function movesAnswered(origin: string): Promise<number> {
  const res = await fetch(`${origin}/metrics`);
  const text = await res.text();
  let total = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("http_requests_total{") && line.includes('route="/api/tasks/:id/move"') && line.includes('status="200"')) {
      total += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return total;
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
  // The lists and shared-list scenarios make their tasks per list, by SQL, after the lists exist.
  const viaSql =
    opts.scenario !== "lists" &&
    opts.scenario !== "shared-list" &&
    (opts.seed === "sql" ||
      (opts.seed === "auto" && (opts.scenario === "big-user" || opts.scenario === "many-users" || totalTasks > SQL_SEED_THRESHOLD)));
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
    if (opts.scenario === "lists") {
      // Each user's lists through the API, as a client makes them (the Inbox came with the account).
      const jwts = await fetchJwts(api, users, 32);
      const started = performance.now();
      await Promise.all(
        jwts.map(async (jwt) => {
          for (let i = 1; i < LISTS_PER_USER; i++) {
            await api.expect(201, "POST", "/api/lists", { authorization: `Bearer ${jwt}` }, { name: `List ${i}` });
          }
        }),
      );
      notes.push(
        `${(users.length * (LISTS_PER_USER - 1)).toLocaleString("en-US")} lists created through the API in ${formatSeconds((performance.now() - started) / 1000)}`,
      );
    }
    let sharedLists: { shared: string; private: string } | null = null;
    if (opts.scenario === "shared-list") {
      // The two big lists through the API, by their owners; the members join by SQL below.
      const [sharedOwner, privateOwner] = await fetchJwts(api, users.slice(0, 2), 2);
      const create = async (jwt: string | undefined, name: string) => {
        const reply = await api.expect(201, "POST", "/api/lists", { authorization: `Bearer ${jwt}` }, { name });
        return (JSON.parse(reply.text) as { id: string }).id;
      };
      sharedLists = { shared: await create(sharedOwner, "Team"), private: await create(privateOwner, "Private") };
    }
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
    let lists: { big: string; small: string; moved: string[]; tasks: number } | null = null;
    let versionsBefore: Awaited<ReturnType<typeof taskVersions>> | null = null;
    let sharedTargets: { shared: string[]; private: string[] } | null = null;
    let activityBefore = 0;
    try {
      if (sharedLists) {
        const [owner, privateOwner, ...members] = users as [SeededUser, SeededUser, ...SeededUser[]];
        let started = performance.now();
        await shareList(
          db,
          sharedLists.shared,
          members.map((m) => m.id),
          "editor",
        );
        notes.push(
          `the shared list's ${members.length} members (editors) added by SQL, as accepted invitations leave them, in ${formatSeconds((performance.now() - started) / 1000)}`,
        );
        tasksSeconds += await bulkInsertListTasks(
          db,
          [{ id: sharedLists.shared, ownerId: owner.id }],
          opts.tasksPerUser,
          "tasks (SQL, the shared list)",
          [owner, ...members].map((u) => u.id),
        );
        tasksSeconds += await bulkInsertListTasks(
          db,
          [{ id: sharedLists.private, ownerId: privateOwner.id }],
          opts.tasksPerUser,
          "tasks (SQL, the private list)",
        );
        tasksSeconds += await bulkInsertTasks(
          db,
          users.map((u) => u.id),
          SHARED_INBOX_TASKS,
          "tasks (SQL, every Inbox)",
        );
        started = performance.now();
        await db.query("ANALYZE list_members");
        await db.query("ANALYZE lists");
        sharedTargets = {
          shared: await sampleListTaskIds(db, sharedLists.shared, SHARED_WRITE_TARGETS),
          private: await sampleListTaskIds(db, sharedLists.private, SHARED_WRITE_TARGETS),
        };
        notes.push(
          `ANALYZE of list_members and lists, and ${SHARED_WRITE_TARGETS} write targets sampled in each big list, took ${formatSeconds((performance.now() - started) / 1000)}`,
        );
      }
      if (opts.scenario === "lists") {
        const all = await listsOf(
          db,
          users.map((u) => u.id),
        );
        const first = users[0] as SeededUser;
        const mine = all.filter((l) => l.ownerId === first.id);
        const big = mine[1] ?? mine[0];
        if (!big || mine.length !== LISTS_PER_USER) throw new Error(`the first user has ${mine.length} lists, not ${LISTS_PER_USER}`);
        tasksSeconds += await bulkInsertListTasks(db, [big], opts.tasksPerUser, "tasks (SQL, the big list)");
        tasksSeconds += await bulkInsertListTasks(
          db,
          all.filter((l) => l.id !== big.id),
          TASKS_PER_SMALL_LIST,
          "tasks (SQL, the other lists)",
        );
        lists = {
          big: big.id,
          small: (mine[0] as { id: string }).id,
          moved: await sampleListTaskIds(db, big.id, MOVED_TASKS_SAMPLE),
          tasks: opts.tasksPerUser,
        };
      }
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
      if (lists) versionsBefore = await taskVersions(db);
      if (sharedLists) activityBefore = await lastActivityId(db);
      const stored = await countTasks(db);
      notes.push(
        `${stored.toLocaleString("en-US")} tasks stored; VACUUM ANALYZE and id sampling took ${formatSeconds((performance.now() - started) / 1000)}`,
      );
    } finally {
      await db.close();
    }
    const seededTasks = lists
      ? lists.tasks + (users.length * LISTS_PER_USER - 1) * TASKS_PER_SMALL_LIST
      : sharedLists
        ? 2 * opts.tasksPerUser + users.length * SHARED_INBOX_TASKS
        : totalTasks;
    const tasksStep: SeedStep = {
      count: seededTasks,
      via: viaSql || lists || sharedLists ? "sql" : "api",
      seconds: tasksSeconds,
      perSecond: tasksSeconds > 0 ? Math.round(seededTasks / tasksSeconds) : 0,
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
    let lastOps: Map<string, OpSamples> = new Map();
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
      const expected = parts.flatMap(({ job }) =>
        job.kind === "mixed"
          ? operationOrder.filter((op) => opts.mix[op] > 0)
          : job.kind === "query" || job.kind === "move"
            ? [job.name]
            : job.kind === "shared-list"
              ? sharedListOps.filter((op) => sharedListMix[op] > 0).map((op) => `${job.side}: ${op}`)
              : [],
      );
      const order = (op: string) => {
        const i = expected.indexOf(op);
        return i === -1 ? expected.length : i;
      };
      for (const [op, samples] of [...result.ops].sort(([a], [b]) => order(a) - order(b))) {
        if (op === "sign-in") continue;
        operations[op] = summarize(samples, durationS);
        taskSamples.push(samples);
      }
      for (const op of expected) operations[op] ??= summarize(emptySamples(), durationS);
      lastOps = result.ops;
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
    let moves: MoveEvidence | undefined;
    let sharing: SharingReport | undefined;
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
    } else if (opts.scenario === "lists" && lists) {
      const owner = jwtOf.get((users[0] as SeededUser).id) as string;
      const requests = listsRequests(opts.listLimit, lists.big, lists.tasks, lists.small);
      const moveJob: Job = {
        kind: "move",
        name: `move within the ${lists.tasks.toLocaleString("en-US")}-task list`,
        jwt: owner,
        taskIds: lists.moved,
      };
      const steps: { name: string; request: string; job: Job }[] = [
        ...requests
          .slice(0, 3)
          .map((r) => ({ name: r.name, request: r.path, job: { kind: "query", name: r.name, path: r.path, jwt: owner } as Job })),
        { name: moveJob.name, request: "POST /api/tasks/{id}/move {before|after: <a random task of the list>}", job: moveJob },
        ...requests
          .slice(3)
          .map((r) => ({ name: r.name, request: r.path, job: { kind: "query", name: r.name, path: r.path, jwt: owner } as Job })),
      ];
      const per = Math.max(2, Math.round((opts.durationS / steps.length) * 10) / 10);
      notes.push(`lists: each of ${steps.length} requests runs alone for ${per} s (--duration ${opts.durationS} split, at least 2 s each)`);
      let answered = 0;
      for (const [i, step] of steps.entries()) {
        generatorProcesses = await runPhase(
          step.name,
          step.request,
          [{ job: step.job, connections: opts.connections, processes: opts.generators }],
          i === 0 ? opts.warmupS : Math.min(opts.warmupS, 0.5),
          per,
        );
        if (step.job.kind === "move") answered = await movesAnswered(server.origin);
      }
      moves = { listTasks: lists.tasks, moves: answered, versionIncrements: 0, rowsChanged: 0, otherRowsChanged: 0, longestKey: 0 };
    } else if (opts.scenario === "shared-list" && sharedLists && sharedTargets) {
      // Both lists at once, in one measured window: half the connections are the members of the
      // shared list, half its private twin's owner, so that the two sides share the machine's load.
      const [, privateOwner, ...members] = users as [SeededUser, SeededUser, ...SeededUser[]];
      const sharedConnections = Math.max(1, Math.ceil(opts.connections / 2));
      const privateConnections = Math.max(1, opts.connections - sharedConnections);
      const side = (name: "shared" | "private", jwtsOfSide: string[], listId: string, taskIds: string[]): Job => ({
        kind: "shared-list",
        side: name,
        jwts: jwtsOfSide,
        listId,
        taskIds,
        listLimit: opts.listLimit,
      });
      const sharedJob = side(
        "shared",
        members.map((m) => jwtOf.get(m.id) as string),
        sharedLists.shared,
        sharedTargets.shared,
      );
      const privateJob = side("private", [jwtOf.get(privateOwner.id) as string], sharedLists.private, sharedTargets.private);
      generatorProcesses = await runPhase(
        "shared vs private list",
        null,
        [
          { job: sharedJob, connections: sharedConnections, processes: opts.generators },
          { job: privateJob, connections: privateConnections, processes: opts.generators },
        ],
        opts.warmupS,
        opts.durationS,
      );
      const sideReport = (name: "shared" | "private", connections: number, usersOfSide: number) => {
        const operations: Record<string, OpSummary> = {};
        const samples: OpSamples[] = [];
        for (const op of sharedListOps) {
          const s = lastOps.get(`${name}: ${op}`) ?? emptySamples();
          operations[op] = summarize(s, opts.durationS);
          samples.push(s);
        }
        return { connections, users: usersOfSide, operations, all: summarize(combine(samples), opts.durationS) };
      };
      const sides = {
        shared: sideReport("shared", sharedConnections, members.length),
        private: sideReport("private", privateConnections, 1),
      };
      sharing = { members: members.length, listTasks: opts.tasksPerUser, mix: sharedListMix, sides, comparison: sharingComparison(sides) };
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

    if (moves && lists && versionsBefore) {
      // The one-row evidence: which rows the move phase wrote (nothing else in the scenario writes tasks).
      const after = await openDatabase(database);
      try {
        for (const [id, now] of await taskVersions(after)) {
          const was = versionsBefore.get(id);
          const changed = !was || was.digest !== now.digest;
          if (now.listId === lists.big) {
            moves.versionIncrements += now.version - (was?.version ?? 0);
            if (changed) moves.rowsChanged++;
          } else if (changed) moves.otherRowsChanged++;
        }
        moves.longestKey = await longestKey(after, lists.big);
      } finally {
        await after.close();
      }
    }

    if (sharing && sharedLists) {
      // Who the list's activity names for the load's writes (the actor each task-writing statement sets).
      const after = await openDatabase(database);
      try {
        sharing.activity = {
          shared: await activitySince(after, sharedLists.shared, activityBefore),
          private: await activitySince(after, sharedLists.private, activityBefore),
        };
      } finally {
        await after.close();
      }
    }

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
        mix: opts.scenario === "big-user" || opts.scenario === "lists" || opts.scenario === "shared-list" ? null : opts.mix,
        signinClients: opts.scenario === "signin-storm" ? opts.signinClients : null,
      },
      phases,
      moves,
      sharing,
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
