// `npm start` runs the compiled server (backend/dist) and serves the web app
// (frontend/dist). This builds either when it is missing or older than its
// sources, so a fresh clone needs no extra step (npm install runs it too).
// With workspace names as arguments (`node scripts/build-if-needed.mjs frontend`)
// only those are considered: the browser tests need the web app, not the server's build.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname ?? path.dirname(new URL(import.meta.url).pathname), "..");

function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(full) : statSync(full).mtimeMs);
  }
  return latest;
}

/** Builds `workspace` when `output` is missing or older than any of `sources` (files or folders). */
function buildIfNeeded(workspace, output, sources, what) {
  const dir = path.join(root, workspace);
  if (!existsSync(path.join(dir, "package.json"))) return;
  const inputs = sources.map((s) => path.join(dir, s)).filter((s) => existsSync(s));
  const built = path.join(dir, output);
  const changed = () =>
    Math.max(...inputs.map((s) => (statSync(s).isDirectory() ? newest(s) : statSync(s).mtimeMs))) > statSync(built).mtimeMs;
  if (existsSync(built) && !changed()) return;
  process.stderr.write(`doable: building ${what} (${workspace}/${path.dirname(output)})…\n`);
  const result = spawnSync("npm", ["run", "-s", "build", "-w", workspace], { stdio: "inherit", cwd: root });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const only = process.argv.slice(2);
const wanted = (workspace) => only.length === 0 || only.includes(workspace);

if (wanted("backend"))
  buildIfNeeded("backend", "dist/main.js", ["src", "tsconfig.json", "tsconfig.build.json", "package.json"], "the server");
if (wanted("frontend"))
  buildIfNeeded(
    "frontend",
    "dist/index.html",
    ["src", "public", "index.html", "vite.config.ts", "tsconfig.json", "package.json"],
    "the web app",
  );
