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
 * A context for axe checks and screenshots. axe is injected with `addScriptTag`, an inline
 * script, which the server's CSP rightly blocks; so these contexts bypass CSP. The CSP itself
 * is exercised by contexts created with `strictContext`.
 */
export function testContext(
  browser: Browser,
  options: { colorScheme?: "light" | "dark"; viewport?: { width: number; height: number } } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    bypassCSP: true,
    viewport: options.viewport ?? { width: 1280, height: 900 },
    colorScheme: options.colorScheme ?? "light",
    timezoneId: "Europe/Paris",
    locale: "en-GB",
  });
}

/** A context that enforces the server's CSP and records any violation. */
export async function strictContext(browser: Browser): Promise<{ context: BrowserContext; violations: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, timezoneId: "Europe/Paris", locale: "en-GB" });
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

/** Runs axe-core in the page and fails on serious or critical violations. */
export async function assertAccessible(page: Page, screen: string): Promise<void> {
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
}

export async function screenshot(page: Page, name: string): Promise<void> {
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
