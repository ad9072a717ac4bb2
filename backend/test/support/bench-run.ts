import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { BenchReport } from "../../bench/report.ts";
import { backendDir } from "./server-process.ts";

export interface BenchRun {
  /** The bench's exit code. */
  code: number | null;
  /** Its stdout and stderr together (the table, progress lines, any failure). */
  output: string;
  /** The --json results; null when the run wrote none. */
  report: BenchReport | null;
}

/**
 * Runs `npm run bench` (bench/bench.ts through tsx) with `args` and
 * `--json` into a temporary directory, on the embedded database (any
 * DATABASE_URL of the environment is left out), and returns what it printed
 * and the results it wrote.
 */
export async function runBench(args: string[]): Promise<BenchRun> {
  const dir = await mkdtemp(path.join(tmpdir(), "doable-bench-smoke-"));
  const jsonFile = path.join(dir, "result.json");
  try {
    const { DATABASE_URL: _ignored, ...env } = process.env;
    const child = spawn(process.execPath, ["--import", "tsx", "bench/bench.ts", ...args, "--json", jsonFile], {
      cwd: backendDir,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    const report = await readFile(jsonFile, "utf8").then(
      (text) => JSON.parse(text) as BenchReport,
      () => null,
    );
    return { code, output, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
