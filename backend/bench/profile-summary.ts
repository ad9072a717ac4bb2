import { readFileSync } from "node:fs";

/*
 * Summarises a V8 .cpuprofile (from `npm run bench -- --cpu-prof DIR`): self
 * time by package and by function, idle excluded, so "where the CPU goes" can
 * be read without a browser.
 *
 *   node --import tsx bench/profile-summary.ts DIR/CPU.….cpuprofile [top]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function packageOf(url: string): string {
  if (!url) return "(V8 / native)";
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dep?.[1]) return dep[1];
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const src = /\/backend\/(src\/.*)$/.exec(url);
  return src?.[1] ?? url;
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write("usage: node --import tsx bench/profile-summary.ts FILE.cpuprofile [top]\n");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
const selfTime = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
let busy = 0;
let idle = 0;
for (const [id, us] of selfTime) {
  const frame = nodes.get(id)?.callFrame;
  if (!frame) continue;
  if (frame.functionName === "(idle)") {
    idle += us;
    continue;
  }
  busy += us;
  const pkg = packageOf(frame.url);
  const name = frame.functionName || "(anonymous)";
  const fn =
    frame.url && !name.startsWith("(") ? `${name}  ${pkg}:${frame.lineNumber + 1}` : name === "(anonymous)" ? `${name}  ${pkg}` : name;
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
}

const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)}%`;
const print = (title: string, m: Map<string, number>) => {
  process.stdout.write(`\n${title}\n`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${pct(v)}  ${k}\n`);
};
process.stdout.write(`${file}\nbusy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s (percentages are of busy time)\n`);
print("self time by package", byPackage);
print("self time by function", byFunction);
