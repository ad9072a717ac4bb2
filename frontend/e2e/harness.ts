import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { startServer } from "../../backend/test/support/server-process.ts";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

/** The backend entry point; E2E_BACKEND_MAIN may point elsewhere (e.g. a stub while the backend is being written). */
export const BACKEND_MAIN = process.env.E2E_BACKEND_MAIN ?? resolve(here, "../../backend/src/main.ts");
export const DIST_DIR = resolve(here, "../dist");
export const SCREENSHOT_DIR = resolve(here, "../../docs/screenshots");
/** Set by `npm run screenshots -w frontend`: only then do the tests refresh docs/screenshots (tracked files). */
const WRITE_SCREENSHOTS = process.env.DOABLE_SCREENSHOTS === "1";

export interface Backend {
  baseUrl: string;
  stop(): Promise<void>;
  logs(): string;
}

/** Starts the real backend on a free port with an in-memory database, serving frontend/dist. */
export async function startBackend(adminEmails: string[]): Promise<Backend> {
  const server = await startServer({
    entry: BACKEND_MAIN,
    env: { DATABASE_URL: "memory://", STATIC_DIR: DIST_DIR, ADMIN_EMAILS: adminEmails.join(",") },
  });
  return {
    baseUrl: server.url,
    stop: async () => {
      await server.stop("SIGTERM", 5000);
    },
    logs: () => server.output(),
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Console errors and warnings, and uncaught exceptions, of every page of a context; a failed
 * request counts too (Chromium logs it as an error). `allowed` holds what the step under way may
 * cause (e.g. the 401 of a refused sign-in).
 */
interface ConsoleLog {
  problems: string[];
  allowed: RegExp[];
}
const consoleLogs = new Map<BrowserContext, ConsoleLog>();

function watchConsole(context: BrowserContext): void {
  const log: ConsoleLog = { problems: [], allowed: [] };
  consoleLogs.set(context, log);
  const record = (entry: string) => {
    if (!log.allowed.some((pattern) => pattern.test(entry))) log.problems.push(entry);
  };
  context.on("console", (msg) => {
    if (msg.type() !== "error" && msg.type() !== "warning") return;
    const where = msg.location().url;
    record(`${msg.type()}: ${msg.text()}${where ? ` (${where})` : ""}`);
  });
  context.on("weberror", (e) => record(`uncaught: ${e.error().message}`));
}

/** Fails listing every console error, warning or uncaught exception so far in the page's context. */
export function assertQuietConsole(page: Page, screen: string): void {
  const log = consoleLogs.get(page.context());
  assert.ok(log, "the page's context was not made by testContext or strictContext");
  const problems = log.problems.splice(0);
  assert.deepEqual(problems, [], `console errors or warnings on or before ${screen}:\n${problems.join("\n")}`);
}

/**
 * Runs `step`, during which the page's context may log messages matching `pattern` (a refusal
 * the step is about, such as the browser's "Failed to load resource … 401" for a wrong password);
 * anything else still fails.
 */
export async function allowingConsole<T>(page: Page, pattern: RegExp, step: () => Promise<T>): Promise<T> {
  const log = consoleLogs.get(page.context());
  assert.ok(log, "the page's context was not made by testContext or strictContext");
  log.allowed.push(pattern);
  try {
    return await step();
  } finally {
    log.allowed.splice(log.allowed.indexOf(pattern), 1);
  }
}

/** After each test: nothing any of its pages logged went unnoticed (contexts already closed included). */
export function assertQuietConsoles(): void {
  const problems = [...consoleLogs.values()].flatMap((log) => log.problems.splice(0));
  consoleLogs.clear();
  assert.deepEqual(problems, [], `console errors or warnings:\n${problems.join("\n")}`);
}

/**
 * What the browser tells a page when the user comes back to its tab. Playwright keeps every page
 * visible and focused, so the event is sent here; the app re-checks the account on it.
 */
export async function returnToTab(page: Page): Promise<void> {
  await page.evaluate(() => document.dispatchEvent(new Event("visibilitychange", { bubbles: true })));
}

/**
 * A context for axe checks and screenshots. axe is injected with `addScriptTag`, an inline
 * script, which the server's CSP rightly blocks; so these contexts bypass CSP. The CSP itself
 * is exercised by contexts created with `strictContext`.
 */
export async function testContext(
  browser: Browser,
  options: { colorScheme?: "light" | "dark"; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  const context = await browser.newContext({
    bypassCSP: true,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? "light",
    timezoneId: "Europe/Paris",
    locale: "en-GB",
  });
  watchConsole(context);
  return context;
}

/** A context that enforces the server's CSP and records any violation. */
export async function strictContext(browser: Browser): Promise<{ context: BrowserContext; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Europe/Paris", locale: "en-GB" });
  watchConsole(context);
  const violations: string[] = [];
  context.on("console", (msg) => {
    if (/content security policy/i.test(msg.text())) violations.push(msg.text());
  });
  return { context, violations };
}

export interface Account {
  name: string;
  email: string;
  password: string;
}

export function account(prefix: string): Account {
  const id = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return {
    name: `${prefix[0]?.toUpperCase()}${prefix.slice(1)} Tester`,
    email: `${prefix}.${id}@example.com`,
    password: `Pw-${id}-long-enough`,
  };
}

export async function signUp(page: Page, baseUrl: string, a: Account): Promise<void> {
  await page.goto(`${baseUrl}/sign-up`);
  await page.getByLabel("Name").fill(a.name);
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Tasks", level: 1 }).waitFor();
}

export async function signIn(page: Page, baseUrl: string | null, a: Account): Promise<void> {
  if (baseUrl) await page.goto(`${baseUrl}/sign-in`);
  await page.getByRole("heading", { name: "Sign in to Doable" }).waitFor();
  await page.getByLabel("Email").fill(a.email);
  await page.getByLabel("Password").fill(a.password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe-core in the page and fails on serious or critical violations, or on anything in the console. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
  assertQuietConsole(page, screen);
  await page.addScriptTag({ path: require.resolve("axe-core") });
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad, [], `axe: serious/critical violations on ${screen}:\n${JSON.stringify(bad, null, 2)}`);
  assertQuietConsole(page, screen);
}

/** Refreshes docs/screenshots/<name>.png, when the run is `npm run screenshots -w frontend`. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (!WRITE_SCREENSHOTS) return;
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Passing notifications are left out of the documentation images.
  await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}.png`), fullPage: false, style: ".toasts { display: none !important; }" });
}

/** Waits until no task is in the optimistic "Saving…" state. */
export async function settled(page: Page): Promise<void> {
  await page
    .locator(".task-pending")
    .first()
    .waitFor({ state: "detached" })
    .catch(() => undefined);
  await page.waitForFunction(() => document.querySelectorAll(".task-pending").length === 0);
}
