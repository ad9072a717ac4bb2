import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { FromGenerator, GeneratorResult, GeneratorTask, Job, OpSamples, ToGenerator } from "./jobs.ts";
import { backendDir } from "./server.ts";

const generatorScript = fileURLToPath(new URL("./load-generator.ts", import.meta.url));

export interface LoadPart {
  job: Job;
  connections: number;
  /** Processes sharing this part's connections. */
  processes: number;
}

export interface LoadResult {
  ops: Map<string, OpSamples>;
  /** CPU seconds the generator processes used while measuring. */
  generatorCpuSeconds: number;
  generatorProcesses: number;
}

interface Generator {
  child: ChildProcess;
  result: Promise<GeneratorResult>;
}

/** Forks a generator and waits until it is ready to receive its task. */
async function startGenerator(): Promise<Generator & { ready: Promise<void> }> {
  const child = fork(generatorScript, [], { cwd: backendDir, execArgv: ["--import", "tsx"], serialization: "advanced", stdio: "inherit" });
  let onReady: () => void = () => {};
  let onResult: (r: GeneratorResult) => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve;
    onFail = reject;
  });
  const result = new Promise<GeneratorResult>((resolve, reject) => {
    onResult = resolve;
    const previous = onFail;
    onFail = (e) => {
      previous(e);
      reject(e);
    };
  });
  // The promise that nobody awaits yet must not become an unhandled rejection.
  result.catch(() => {});
  child.on("message", (message: FromGenerator) => {
    if (message.type === "ready") onReady();
    else if (message.type === "result") onResult(message.result);
    else onFail(new Error(`load generator failed: ${message.message}`));
  });
  child.on("exit", (code) => onFail(new Error(`load generator exited (${code})`)));
  return { child, ready, result };
}

/**
 * Runs the parts at once: each part's connections are split across its
 * processes; all start together, warm up, then measure for the duration.
 * `hooks` run at the start and end of the measured window.
 */
export async function runLoad(
  origin: string,
  parts: LoadPart[],
  timing: { warmupMs: number; durationMs: number },
  hooks: { measureStart: () => void; measureEnd: () => void },
): Promise<LoadResult> {
  const assignments: { job: Job; connections: number }[] = [];
  for (const part of parts) {
    const processes = Math.max(1, Math.min(part.processes, part.connections));
    for (let i = 0; i < processes; i++) {
      const connections = Math.floor(part.connections / processes) + (i < part.connections % processes ? 1 : 0);
      assignments.push({ job: part.job, connections });
    }
  }
  const generators = await Promise.all(assignments.map(() => startGenerator()));
  try {
    await Promise.all(generators.map((g) => g.ready));
    const startAt = Date.now() + 250;
    generators.forEach((g, i) => {
      const a = assignments[i] as { job: Job; connections: number };
      const task: GeneratorTask = { origin, connections: a.connections, job: a.job, startAt, ...timing, seed: i + 1 };
      g.child.send({ type: "run", task } satisfies ToGenerator);
    });
    const startTimer = setTimeout(hooks.measureStart, startAt + timing.warmupMs - Date.now());
    const endTimer = setTimeout(hooks.measureEnd, startAt + timing.warmupMs + timing.durationMs - Date.now());
    let results: GeneratorResult[];
    try {
      results = await Promise.all(generators.map((g) => g.result));
    } finally {
      clearTimeout(startTimer);
      clearTimeout(endTimer);
    }
    return {
      ops: mergeResults(results),
      generatorCpuSeconds: results.reduce((s, r) => s + r.cpuSeconds, 0),
      generatorProcesses: generators.length,
    };
  } finally {
    for (const g of generators) {
      g.child.removeAllListeners("exit");
      if (g.child.exitCode === null) g.child.kill();
    }
  }
}

function mergeResults(results: GeneratorResult[]): Map<string, OpSamples> {
  const merged = new Map<string, { parts: Float64Array[]; statuses: Record<string, number>; errors: Record<string, number> }>();
  for (const result of results) {
    for (const [op, s] of Object.entries(result.ops)) {
      let m = merged.get(op);
      if (!m) {
        m = { parts: [], statuses: {}, errors: {} };
        merged.set(op, m);
      }
      m.parts.push(s.latencies);
      for (const [k, v] of Object.entries(s.statuses)) m.statuses[k] = (m.statuses[k] ?? 0) + v;
      for (const [k, v] of Object.entries(s.errors)) m.errors[k] = (m.errors[k] ?? 0) + v;
    }
  }
  const out = new Map<string, OpSamples>();
  for (const [op, m] of merged) {
    const latencies = new Float64Array(m.parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of m.parts) {
      latencies.set(p, offset);
      offset += p.length;
    }
    out.set(op, { latencies, statuses: m.statuses, errors: m.errors });
  }
  return out;
}
