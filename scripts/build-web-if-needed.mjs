// `npm start` serves the web app from frontend/dist; build it first when it is
// missing or older than its sources, so a fresh clone needs no extra step.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const frontend = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "../frontend");
const built = path.join(frontend, "dist/index.html");
const pkg = path.join(frontend, "package.json");
if (!existsSync(pkg) || !existsSync(path.join(frontend, "index.html"))) process.exit(0);

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

const sourcesChanged = () =>
  Math.max(newest(path.join(frontend, "src")), statSync(path.join(frontend, "index.html")).mtimeMs) > statSync(built).mtimeMs;
if (existsSync(built) && !sourcesChanged()) process.exit(0);
process.stderr.write("doable: building the web app (frontend/dist)…\n");
const result = spawnSync("npm", ["run", "-s", "build", "-w", "frontend"], { stdio: "inherit" });
process.exit(result.status ?? 1);
