import {
  type FromGenerator,
  type GeneratorResult,
  type GeneratorTask,
  type Job,
  type LoadUser,
  type OpSamples,
  type SharedListOp,
  sharedListMix,
  sharedListOps,
  type ToGenerator,
} from "./jobs.ts";
import { type Operation, operations } from "./options.ts";
import { RawConnection, requestText } from "./raw-http.ts";

/*
 * A load-generator process: a closed loop per connection (send, read the
 * whole response, send the next), latencies recorded exactly for the
 * requests that complete between the end of the warm-up and the end.
 */

class Recorder {
  private latencies = new Float64Array(16_384);
  private count = 0;
  readonly statuses: Record<string, number> = {};
  readonly errors: Record<string, number> = {};

  add(ms: number, status: number | null, error: string | null): void {
    if (this.count === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.count++] = ms;
    if (status !== null) this.statuses[status] = (this.statuses[status] ?? 0) + 1;
    if (error !== null) this.errors[error] = (this.errors[error] ?? 0) + 1;
  }

  samples(): OpSamples {
    return { latencies: this.latencies.slice(0, this.count), statuses: this.statuses, errors: this.errors };
  }
}

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

interface Planned {
  op: string;
  method: "GET" | "POST" | "PATCH";
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Called with a 2xx response's body (create keeps the new id). */
  onBody?: (text: string) => void;
}

type Planner = (random: () => number) => Planned;

interface PreparedUser extends LoadUser {
  headers: Record<string, string>;
  jsonHeaders: Record<string, string>;
}

const MAX_IDS_PER_USER = 50;
const priorities = ["none", "low", "medium", "high"];

function mixedPlanner(job: Extract<Job, { kind: "mixed" }>, generatorSeed: number): Planner {
  const users: PreparedUser[] = job.users.map((u) => ({
    ...u,
    taskIds: [...u.taskIds],
    headers: { authorization: `Bearer ${u.jwt}` },
    jsonHeaders: { authorization: `Bearer ${u.jwt}`, "content-type": "application/json" },
  }));
  const weights = operations.map((op) => job.mix[op]);
  const total = weights.reduce((a, b) => a + b, 0);
  const listPath = `/api/tasks?limit=${job.listLimit}`;
  let serial = generatorSeed * 1_000_000;

  const pickOp = (random: () => number): Operation => {
    let x = random() * total;
    for (let i = 0; i < operations.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return operations[i] as Operation;
    }
    return "list";
  };

  return (random) => {
    const user = users[Math.floor(random() * users.length)] as PreparedUser;
    let op = pickOp(random);
    if (op !== "list" && op !== "create" && user.taskIds.length === 0) op = "create";
    const id = user.taskIds[Math.floor(random() * user.taskIds.length)];
    switch (op) {
      case "list":
        return { op, method: "GET", path: listPath, headers: user.headers };
      case "get":
        return { op, method: "GET", path: `/api/tasks/${id}`, headers: user.headers };
      case "update":
        return {
          op,
          method: "PATCH",
          path: `/api/tasks/${id}`,
          headers: user.jsonHeaders,
          body: JSON.stringify({ title: `Updated task ${serial++}`, priority: priorities[Math.floor(random() * 4)] }),
        };
      case "toggle":
        return { op, method: "PATCH", path: `/api/tasks/${id}/complete`, headers: user.headers };
      case "create":
        return {
          op,
          method: "POST",
          path: "/api/tasks",
          headers: user.jsonHeaders,
          body: JSON.stringify({ title: `New task ${serial++}`, priority: priorities[Math.floor(random() * 4)], tags: ["bench"] }),
          onBody: (text) => {
            const created = (JSON.parse(text) as { id: string }).id;
            if (user.taskIds.length < MAX_IDS_PER_USER) user.taskIds.push(created);
            else user.taskIds[Math.floor(random() * MAX_IDS_PER_USER)] = created;
          },
        };
    }
  };
}

function sharedListPlanner(job: Extract<Job, { kind: "shared-list" }>, generatorSeed: number): Planner {
  const users = job.jwts.map((jwt) => ({
    headers: { authorization: `Bearer ${jwt}` },
    jsonHeaders: { authorization: `Bearer ${jwt}`, "content-type": "application/json" },
  }));
  const ids = [...job.taskIds];
  const maxIds = Math.max(MAX_IDS_PER_USER, ids.length * 2);
  const weights = sharedListOps.map((op) => sharedListMix[op]);
  const total = weights.reduce((a, b) => a + b, 0);
  const paths: Partial<Record<SharedListOp, string>> = {
    // The web app's request for a list (its page is 50; the bench's --list-limit, 100 by default).
    "first page": `/api/tasks?list_id=${job.listId}&parent_id=none&sort=position&limit=${job.listLimit}`,
    "view=today": `/api/tasks?view=today&limit=${job.listLimit}`,
    "all lists": `/api/tasks?limit=${job.listLimit}`,
  };
  let serial = generatorSeed * 1_000_000;
  const pickOp = (random: () => number): SharedListOp => {
    let x = random() * total;
    for (let i = 0; i < sharedListOps.length; i++) {
      x -= weights[i] as number;
      if (x < 0) return sharedListOps[i] as SharedListOp;
    }
    return "first page";
  };
  return (random) => {
    const user = users[Math.floor(random() * users.length)] as (typeof users)[number];
    let kind = pickOp(random);
    if ((kind === "update" || kind === "complete") && ids.length === 0) kind = "create";
    const op = `${job.side}: ${kind}`;
    const id = ids[Math.floor(random() * ids.length)];
    switch (kind) {
      case "first page":
      case "view=today":
      case "all lists":
        return { op, method: "GET", path: paths[kind] as string, headers: user.headers };
      case "create":
        return {
          op,
          method: "POST",
          path: "/api/tasks",
          headers: user.jsonHeaders,
          body: JSON.stringify({
            title: `New task ${serial++}`,
            list_id: job.listId,
            priority: priorities[Math.floor(random() * 4)],
            tags: ["bench"],
          }),
          onBody: (text) => {
            const created = (JSON.parse(text) as { id: string }).id;
            if (ids.length < maxIds) ids.push(created);
            else ids[Math.floor(random() * maxIds)] = created;
          },
        };
      case "update":
        return {
          op,
          method: "PATCH",
          path: `/api/tasks/${id}`,
          headers: user.jsonHeaders,
          body: JSON.stringify({ title: `Updated task ${serial++}`, priority: priorities[Math.floor(random() * 4)] }),
        };
      case "complete":
        return { op, method: "PATCH", path: `/api/tasks/${id}/complete`, headers: user.headers };
    }
  };
}

function plannerFor(task: GeneratorTask): Planner {
  const job = task.job;
  switch (job.kind) {
    case "mixed":
      return mixedPlanner(job, task.seed);
    case "shared-list":
      return sharedListPlanner(job, task.seed);
    case "query": {
      const planned: Planned = { op: job.name, method: "GET", path: job.path, headers: { authorization: `Bearer ${job.jwt}` } };
      return () => planned;
    }
    case "move": {
      const headers = { authorization: `Bearer ${job.jwt}`, "content-type": "application/json" };
      const ids = job.taskIds;
      return (random) => {
        const moved = ids[Math.floor(random() * ids.length)] as string;
        let anchor = ids[Math.floor(random() * ids.length)] as string;
        if (anchor === moved) anchor = ids[(ids.indexOf(moved) + 1) % ids.length] as string;
        const body = JSON.stringify(random() < 0.5 ? { before: anchor } : { after: anchor });
        return { op: job.name, method: "POST", path: `/api/tasks/${moved}/move`, headers, body };
      };
    }
    case "signin": {
      let next = task.seed;
      const headers = { origin: task.origin, "content-type": "application/json" };
      const bodies = job.emails.map((email) => JSON.stringify({ email, password: job.password }));
      return () => ({ op: "sign-in", method: "POST", path: "/api/auth/sign-in/email", headers, body: bodies[next++ % bodies.length] });
    }
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(task: GeneratorTask): Promise<GeneratorResult> {
  const origin = new URL(task.origin);
  const host = origin.host;
  const port = Number(origin.port);
  const plan = plannerFor(task);
  const recorders = new Map<string, Recorder>();
  const recorder = (op: string) => {
    let r = recorders.get(op);
    if (!r) {
      r = new Recorder();
      recorders.set(op, r);
    }
    return r;
  };

  // performance.now() is per process; place the shared epoch instants on this process's clock.
  const begin = task.startAt - performance.timeOrigin;
  const measureFrom = begin + task.warmupMs;
  const end = measureFrom + task.durationMs;
  await sleep(Math.max(0, begin - performance.now()));
  let cpuAtStart: NodeJS.CpuUsage | null = null;
  const cpuTimer = setTimeout(
    () => {
      cpuAtStart = process.cpuUsage();
    },
    Math.max(0, measureFrom - performance.now()),
  );

  const loop = async (seed: number) => {
    const random = prng(seed);
    const connection = new RawConnection(origin.hostname, port);
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) break;
      const req = plan(random);
      let status: number | null = null;
      let error: string | null = null;
      try {
        // Only a create's body is decoded (for the new id): the generator competes with the server for the same cores.
        const res = await connection.send(requestText(req.method, req.path, host, req.headers, req.body), req.onBody !== undefined);
        status = res.status;
        if (req.onBody && status >= 200 && status < 300 && res.text !== undefined) req.onBody(res.text);
      } catch (err) {
        error = (err as { code?: string }).code ?? (err as Error).name ?? "error";
      }
      const t1 = performance.now();
      // Every request that completes inside the window counts (one begun during the warm-up too:
      // a sign-in queued for seconds must not be left out), none that completes after it.
      if (t1 >= measureFrom && t1 <= end) recorder(req.op).add(t1 - t0, status, error);
      // A refused connection fails at once; do not spin.
      if (error !== null) await sleep(10);
    }
    connection.close();
  };
  await Promise.all(Array.from({ length: task.connections }, (_, i) => loop(task.seed * 7_919 + i + 1)));
  clearTimeout(cpuTimer);
  const used = process.cpuUsage(cpuAtStart ?? undefined);

  const ops: Record<string, OpSamples> = {};
  for (const [op, r] of recorders) ops[op] = r.samples();
  return { ops, cpuSeconds: cpuAtStart ? (used.user + used.system) / 1e6 : 0 };
}

const send = (message: FromGenerator) => process.send?.(message);

process.on("message", (message: ToGenerator) => {
  if (message.type !== "run") return;
  run(message.task).then(
    (result) => {
      send({ type: "result", result });
    },
    (err: unknown) => {
      send({ type: "failed", message: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    },
  );
});
send({ type: "ready" });
