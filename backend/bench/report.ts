import { type SharedListOp, sharedListOps } from "./jobs.ts";
import type { BenchOptions, Scenario } from "./options.ts";
import { formatSeconds } from "./progress.ts";
import type { ResourceUsage } from "./server.ts";
import { failures, type OpSummary } from "./stats.ts";

export interface PhaseReport {
  /** "mixed", or the name of a big-user query. */
  name: string;
  /** What was requested (big-user: the URL path and query). */
  request: string | null;
  warmupS: number;
  durationS: number;
  operations: Record<string, OpSummary>;
  /** All task-API requests of the phase together. */
  all: OpSummary;
  /** signin-storm: the sign-in requests (kept out of `all`). */
  signin: OpSummary | null;
  resources: ResourceUsage;
}

export interface SeedStep {
  count: number;
  via: "api" | "sql";
  seconds: number;
  perSecond: number;
}

export interface BenchReport {
  tool: "doable-bench";
  date: string;
  command: string;
  scenario: Scenario;
  machine: { cpus: number; model: string; memoryMb: number; node: string; platform: string };
  database: { kind: "embedded" | "postgresql"; description: string };
  server: { entry: string; workers: number; hashConcurrencyWhileSeeding: number; cpuProfiles: string | null };
  seeding: { users: SeedStep; tasks: SeedStep; notes: string[] };
  load: {
    connections: number;
    warmupS: number;
    durationS: number;
    generatorProcesses: number;
    listLimit: number;
    mix: BenchOptions["mix"] | null;
    signinClients: number | null;
  };
  phases: PhaseReport[];
  /** lists: what the moves wrote (the one-row evidence), read from the database around the move phase. */
  moves?: MoveEvidence;
  /** shared-list: each request kind on the shared list and on its private twin, measured together. */
  sharing?: SharingReport;
  /** The headline: the main phase (big-user: across all queries). */
  summary: { rps: number; p99: number; errors: number; peakRssMb: number | null };
}

/** One side of the shared-list scenario: its share of the connections, its users, its figures by request kind. */
export interface SharingSide {
  connections: number;
  /** Users whose tokens the side's requests use (the members; the private list's owner). */
  users: number;
  operations: Record<SharedListOp, OpSummary>;
  /** All of the side's requests together. */
  all: OpSummary;
}

export interface SharingReport {
  /** Members of the shared list besides its owner (editors). */
  members: number;
  /** Tasks in each of the two big lists when the load began. */
  listTasks: number;
  mix: Record<SharedListOp, number>;
  sides: { shared: SharingSide; private: SharingSide };
  /** p99 of each request kind, shared over private (null when the private one has none). */
  comparison: Record<SharedListOp | "all", { sharedP99: number; privateP99: number; ratio: number | null }>;
  /**
   * Each list's activity entries written during the load (warm-up included), read from the
   * database afterwards: the task triggers name the actor every write statement set.
   */
  activity?: Record<"shared" | "private", { entries: number; actors: number; withoutActor: number }>;
}

export function sharingComparison(sides: SharingReport["sides"]): SharingReport["comparison"] {
  const pair = (a: OpSummary, b: OpSummary) => ({
    sharedP99: a.p99,
    privateP99: b.p99,
    ratio: b.p99 > 0 && a.requests > 0 ? Math.round((a.p99 / b.p99) * 100) / 100 : null,
  });
  const out = { all: pair(sides.shared.all, sides.private.all) } as SharingReport["comparison"];
  for (const op of sharedListOps) out[op] = pair(sides.shared.operations[op], sides.private.operations[op]);
  return out;
}

export interface MoveEvidence {
  /** Tasks in the list the moves reordered. */
  listTasks: number;
  /** Moves the server answered 200 (warm-up included; from its /metrics). */
  moves: number;
  /** Sum over the list's tasks of how much each one's version rose. */
  versionIncrements: number;
  /** The list's tasks whose row changed at all. */
  rowsChanged: number;
  /** Tasks of every other list whose row changed. */
  otherRowsChanged: number;
  /** The longest position key in the list afterwards. */
  longestKey: number;
}

const num = (n: number, digits = 0) => n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const ms = (n: number) => (n >= 100 ? num(n, 0) : n >= 10 ? num(n, 1) : num(n, 2));

function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

const statusList = (s: OpSummary) => {
  const parts = [...Object.entries(s.non2xx).map(([k, v]) => `${k}×${v}`), ...Object.entries(s.errors).map(([k, v]) => `${k}×${v}`)];
  return parts.length > 0 ? parts.join(" ") : "0";
};

const row = (name: string, s: OpSummary) => [
  name,
  num(s.requests),
  num(s.rps, 0),
  ms(s.p50),
  ms(s.p90),
  ms(s.p99),
  ms(s.max),
  statusList(s),
];

const headers = ["operation", "requests", "req/s", "p50 ms", "p90 ms", "p99 ms", "max ms", "non-2xx"];

function resources(r: ResourceUsage, postgres: boolean): string {
  const mb = (v: number | null) => (v === null ? "n/a" : `${num(v, 1)} MB`);
  const pct = (v: number | null) => (v === null ? "n/a" : `${num(v, 0)}%`);
  const cpu = [
    `server ${pct(r.cpu.server)} (kernel ${pct(r.cpu.serverSystem)})`,
    ...(postgres ? [`postgres ${pct(r.cpu.postgres)}`] : []),
    `load generators ${pct(r.cpu.generators)}`,
    `other processes ${pct(r.cpu.other)}`,
  ];
  return [
    `server memory: peak RSS ${mb(r.peakRssMb)} (sum over ${r.processes} process${r.processes === 1 ? "" : "es"}, sampled every 200 ms while measuring); VmHWM ${mb(r.hwmMb)}`,
    `CPU while measuring (100% = one core): ${cpu.join(", ")}; machine ${pct(r.cpu.machine)} of all cores`,
    ...(r.v8
      ? [
          `V8 heap of a server process after the load: ${mb(r.v8.heapTotal)} (used ${mb(r.v8.heapUsed)}; new space ${mb(r.v8.newSpace)}, ` +
            `old space ${mb(r.v8.oldSpace)}, code ${mb(r.v8.codeSpace)}); external ${mb(r.v8.external)}`,
        ]
      : []),
  ].join("\n");
}

export function formatReport(report: BenchReport): string {
  const out: string[] = [];
  const { load, seeding } = report;
  out.push(`Doable benchmark — ${report.scenario} — ${report.date}`);
  out.push(`command: ${report.command}`);
  out.push(
    `machine: ${report.machine.cpus} CPUs (${report.machine.model}), ${num(report.machine.memoryMb)} MB, Node ${report.machine.node}, ${report.machine.platform}`,
  );
  out.push(
    `database: ${report.database.description}; server processes: ${report.server.workers === 1 ? "1" : `${report.server.workers} (WEB_CONCURRENCY)`}` +
      (report.server.entry === "dist/main.js" ? "" : `; server entry ${report.server.entry}`),
  );
  out.push(
    `seeding: ${num(seeding.users.count)} users through the API (sign-up) in ${formatSeconds(seeding.users.seconds)} (${num(seeding.users.perSecond, 1)}/s, ` +
      `password hashing ${report.server.hashConcurrencyWhileSeeding} at a time); ${num(seeding.tasks.count)} tasks ` +
      `${seeding.tasks.via === "sql" ? "by bulk SQL (INSERT … SELECT generate_series)" : "through the API (POST /api/tasks)"} in ${formatSeconds(seeding.tasks.seconds)} (${num(seeding.tasks.perSecond, 0)}/s)`,
  );
  for (const n of seeding.notes) out.push(`  ${n}`);
  const mix = load.mix
    ? `mix ${Object.entries(load.mix)
        .filter(([, w]) => w > 0)
        .map(([k, w]) => `${k}=${w}`)
        .join(",")}, `
    : "";
  out.push(
    `load: closed loop, ${load.connections} connections${load.signinClients ? ` + ${load.signinClients} sign-in clients` : ""}, ${mix}list limit ${load.listLimit}, ` +
      `${load.warmupS} s warm-up + ${load.durationS} s measured${report.phases.length > 1 ? " per query" : ""}, ${load.generatorProcesses} load-generator process${load.generatorProcesses === 1 ? "" : "es"}`,
  );
  const postgres = report.database.kind === "postgresql";

  if (report.scenario === "big-user" || report.scenario === "lists") {
    out.push("");
    out.push(
      table(
        [
          report.scenario === "lists" ? "request (each alone)" : "query (each alone)",
          "requests",
          "req/s",
          "p50 ms",
          "p90 ms",
          "p99 ms",
          "max ms",
          "non-2xx",
        ],
        report.phases.map((p) => row(p.name, p.all)),
      ),
    );
    const big = report.phases.find((p) => p.name === "big: -created_at");
    const small = report.phases.find((p) => p.name === "small: -created_at");
    if (big && small && small.all.p99 > 0) {
      out.push(
        `\nfirst page, 100,000-task user vs 100-task user: p99 ${ms(big.all.p99)} ms vs ${ms(small.all.p99)} ms (${num(big.all.p99 / small.all.p99, 2)}×)`,
      );
    }
    const m = report.moves;
    if (m) {
      out.push(
        `\nmoves in the ${num(m.listTasks)}-task list: ${num(m.moves)} answered 200 (warm-up included); the list's rows rose ` +
          `${num(m.versionIncrements)} versions in total over ${num(m.rowsChanged)} distinct tasks` +
          ` (${m.moves > 0 ? num(m.versionIncrements / m.moves, 2) : "n/a"} rows written per move); rows of other lists changed: ` +
          `${num(m.otherRowsChanged)}; longest key afterwards ${m.longestKey} characters`,
      );
    }
    const peak = Math.max(...report.phases.map((p) => p.resources.peakRssMb ?? 0));
    out.push(`server memory: peak RSS ${num(peak, 1)} MB over all queries`);
  } else {
    for (const phase of report.phases) {
      out.push("");
      const { sharing } = report;
      const rows = sharing
        ? (["shared", "private"] as const).flatMap((side) => [
            ...sharedListOps.map((op) => row(`${side}: ${op}`, sharing.sides[side].operations[op])),
            row(`${side}: all`, sharing.sides[side].all),
          ])
        : Object.entries(phase.operations).map(([name, s]) => row(name, s));
      rows.push(row("all task requests", phase.all));
      if (phase.signin) rows.push(row("sign-in", phase.signin));
      out.push(table(headers, rows));
      const non2xx: Record<string, number> = {};
      for (const s of [phase.all, ...(phase.signin ? [phase.signin] : [])]) {
        for (const [k, v] of Object.entries(s.non2xx)) non2xx[k] = (non2xx[k] ?? 0) + v;
        for (const [k, v] of Object.entries(s.errors)) non2xx[k] = (non2xx[k] ?? 0) + v;
      }
      const entries = Object.entries(non2xx);
      out.push(
        `\nnon-2xx responses and errors by status: ${entries.length === 0 ? "none" : entries.map(([k, v]) => `${k}: ${v}`).join(", ")}`,
      );
      out.push(resources(phase.resources, postgres));
    }
    if (report.sharing) out.push(`\n${formatSharing(report.sharing)}`);
  }
  out.push(
    `\nsummary: ${num(report.summary.rps, 0)} req/s, p99 ${ms(report.summary.p99)} ms, ${report.summary.errors} errors, peak RSS ${
      report.summary.peakRssMb === null ? "n/a" : `${num(report.summary.peakRssMb, 1)} MB`
    }`,
  );
  return out.join("\n");
}

function formatSharing(r: SharingReport): string {
  const { shared, private: own } = r.sides;
  const ratio = (x: number | null) => (x === null ? "n/a" : `${num(x, 2)}×`);
  const rows = [...sharedListOps, "all" as const].map((op) => {
    const a = op === "all" ? shared.all : shared.operations[op];
    const b = op === "all" ? own.all : own.operations[op];
    return [op, num(a.rps, 0), ms(a.p50), ms(a.p99), num(b.rps, 0), ms(b.p50), ms(b.p99), ratio(r.comparison[op].ratio)];
  });
  const first = r.comparison["first page"];
  return [
    `shared list (${num(r.members)} members, editors, each with their own token; ${shared.connections} connections) vs ` +
      `private list (its owner; ${own.connections} connections), ${num(r.listTasks)} tasks each, measured together:`,
    table(["request", "shared req/s", "p50 ms", "p99 ms", "private req/s", "p50 ms", "p99 ms", "p99 shared/private"], rows),
    `\nfirst page p99, shared vs private: ${ms(first.sharedP99)} ms vs ${ms(first.privateP99)} ms (${ratio(first.ratio)}; the issue's bar: within 2×)`,
    ...(r.activity
      ? [
          `activity written during the load (warm-up included): shared list ${num(r.activity.shared.entries)} entries by ` +
            `${num(r.activity.shared.actors)} distinct actors (${num(r.activity.shared.withoutActor)} without one); private list ` +
            `${num(r.activity.private.entries)} by ${num(r.activity.private.actors)} (${num(r.activity.private.withoutActor)} without one)`,
        ]
      : []),
  ].join("\n");
}

export function headline(phases: PhaseReport[]): BenchReport["summary"] {
  const main = phases[0];
  if (phases.length === 1 && main) {
    return {
      rps: main.all.rps,
      p99: main.all.p99,
      errors: failures(main.all) + (main.signin ? failures(main.signin) : 0),
      peakRssMb: main.resources.peakRssMb,
    };
  }
  return {
    rps: Math.round(phases.reduce((s, p) => s + p.all.requests, 0) / phases.reduce((s, p) => s + p.durationS, 0)),
    p99: Math.max(0, ...phases.map((p) => p.all.p99)),
    errors: phases.reduce((s, p) => s + failures(p.all), 0),
    peakRssMb: Math.max(0, ...phases.map((p) => p.resources.peakRssMb ?? 0)) || null,
  };
}
