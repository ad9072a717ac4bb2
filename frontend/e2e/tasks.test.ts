import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  account,
  allowingConsole,
  assertAccessible,
  assertQuietConsole,
  assertQuietConsoles,
  type Backend,
  launchBrowser,
  screenshot,
  settled,
  signIn,
  signUp,
  startBackend,
  strictContext,
  testContext,
} from "./harness.ts";

let backend: Backend;
let browser: Browser;

before(async () => {
  backend = await startBackend(["nobody-admin@example.com"]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await backend?.stop();
});

afterEach(assertQuietConsoles);

/** Waits until the visible task titles are exactly `titles` (in any order). */
async function expectTitles(page: Page, titles: string[]): Promise<void> {
  const want = [...titles].sort();
  try {
    await page.waitForFunction(
      (expected) => {
        const got = [...document.querySelectorAll(".task-list .task-title")].map((e) => e.textContent ?? "").sort();
        return JSON.stringify(got) === JSON.stringify(expected) && document.querySelectorAll(".task-pending").length === 0;
      },
      want,
      { timeout: 10_000 },
    );
  } catch {
    const got = await page.locator(".task-list .task-title").allTextContents();
    assert.deepEqual(got.sort(), want);
  }
}

async function createTask(page: Page, t: { title: string; description?: string; priority?: string; due?: string; tags?: string }) {
  await page.getByRole("button", { name: "+ New task" }).click();
  const dialog = page.getByRole("dialog", { name: "New task" });
  await dialog.getByLabel("Title").fill(t.title);
  if (t.description) await dialog.getByLabel("Description (optional)").fill(t.description);
  if (t.priority) await dialog.getByLabel("Priority").selectOption(t.priority);
  if (t.due) await dialog.getByLabel("Due (your local time, optional)").fill(t.due);
  if (t.tags) await dialog.getByLabel("Tags (optional)").fill(t.tags);
  await dialog.getByRole("button", { name: "Create task" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.locator(".task-title", { hasText: t.title }).first().waitFor();
  await settled(page);
}

test("sign up, manage tasks, sign out and back in", async () => {
  const user = account("alice");
  const context = await testContext(browser);
  const page = await context.newPage();

  // A signed-out visitor's first page: nothing in the console (no refused session probe either).
  await page.goto(backend.baseUrl);
  await page.getByRole("heading", { name: "Sign in to Doable" }).waitFor();
  assert.equal(new URL(page.url()).pathname, "/sign-in");
  await page.waitForLoadState("networkidle");
  assertQuietConsole(page, "a signed-out visitor's first page");
  await assertAccessible(page, "sign-in");
  await screenshot(page, "sign-in");
  await page.getByRole("link", { name: "Create an account" }).click();
  await page.getByRole("heading", { name: "Create your Doable account" }).waitFor();
  await assertAccessible(page, "sign-up");

  await signUp(page, backend.baseUrl, user);
  await page.getByText("No tasks yet").waitFor();
  await assertAccessible(page, "empty task list");

  // Three tasks.
  await createTask(page, { title: "Buy milk", tags: "home, errands" });
  await createTask(page, {
    title: "Write report",
    priority: "high",
    due: "2031-05-01T17:00",
    tags: "work",
    description: "Quarterly numbers for the board.",
  });
  await createTask(page, { title: "Call plumber", priority: "medium", description: "The kitchen tap drips." });
  await expectTitles(page, ["Buy milk", "Write report", "Call plumber"]);
  // The due date is shown in the user's zone (Paris, UTC+2 in May) and was sent with its offset.
  const report = page.locator(".task", { hasText: "Write report" });
  assert.equal(await report.locator("time").getAttribute("datetime"), "2031-05-01T15:00:00.000Z");

  // Edit one.
  await page.getByRole("button", { name: "Edit: Buy milk" }).click();
  const edit = page.getByRole("dialog", { name: "Edit task" });
  await edit.getByLabel("Title").fill("Buy oat milk");
  await edit.getByLabel("Priority").selectOption("low");
  await edit.getByLabel("Title").focus();
  await assertAccessible(page, "edit dialog");
  await screenshot(page, "edit-dialog");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await edit.waitFor({ state: "detached" });
  await page.getByText("Saved “Buy oat milk”.").waitFor();
  await expectTitles(page, ["Buy oat milk", "Write report", "Call plumber"]);
  await page.locator(".task", { hasText: "Buy oat milk" }).getByText("Low priority").waitFor();

  // Validation errors appear next to the field they are about.
  await page.getByRole("button", { name: "+ New task" }).click();
  const create = page.getByRole("dialog", { name: "New task" });
  await create.getByRole("button", { name: "Create task" }).click();
  await create.getByText("Enter a title.").waitFor();
  await create.getByRole("button", { name: "Cancel" }).click();

  // Complete one (with the keyboard).
  const box = page.getByRole("checkbox", { name: "Completed: Call plumber" });
  await box.focus();
  await page.keyboard.press("Space");
  await page.getByText("Completed “Call plumber”.").waitFor();
  assert.equal(await box.isChecked(), true);

  await screenshot(page, "task-list");
  await assertAccessible(page, "task list");

  // Filter by status, priority and tag.
  await page.getByRole("tab", { name: "Completed" }).click();
  await expectTitles(page, ["Call plumber"]);
  await page.getByRole("tab", { name: "Completed" }).press("ArrowLeft");
  assert.equal(await page.getByRole("tab", { name: "Pending" }).getAttribute("aria-selected"), "true");
  await expectTitles(page, ["Buy oat milk", "Write report"]);
  await page.getByRole("tab", { name: "All" }).click();
  await page.getByRole("checkbox", { name: "High" }).check();
  await expectTitles(page, ["Write report"]);
  await page.getByRole("checkbox", { name: "High" }).uncheck();
  await page.getByRole("button", { name: "Filter by tag home" }).click();
  await expectTitles(page, ["Buy oat milk"]);
  await page.getByLabel("Tags (all of)").fill("");
  await expectTitles(page, ["Buy oat milk", "Write report", "Call plumber"]);

  // Sort by title, ascending.
  await page.getByLabel("Sort by").selectOption("title");
  await page.getByLabel("Order").selectOption("asc");
  await page.waitForFunction(() => new URL(location.href).searchParams.get("sort") === "title");
  await page.waitForFunction(
    () => [...document.querySelectorAll(".task-title")].map((e) => e.textContent).join("|") === "Buy oat milk|Call plumber|Write report",
  );

  // Search as you type.
  await page.getByLabel("Search").fill("oat");
  await expectTitles(page, ["Buy oat milk"]);
  await page.getByLabel("Search").fill("quarterly");
  await expectTitles(page, ["Write report"]);
  await page.getByLabel("Search").fill("nothing like this");
  await page.getByText("No tasks match these filters.").waitFor();
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expectTitles(page, ["Buy oat milk", "Write report", "Call plumber"]);
  assert.equal(await page.getByLabel("Search").inputValue(), "");

  // Delete one.
  await page.getByRole("button", { name: "Delete: Write report" }).click();
  await page.getByRole("dialog", { name: "Delete task?" }).getByRole("button", { name: "Delete" }).click();
  await page.getByText("Deleted “Write report”.").waitFor();
  await expectTitles(page, ["Buy oat milk", "Call plumber"]);

  // Sign out, and back in: the same state is there.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Doable" }).waitFor();
  await page.getByText("You have signed out.").waitFor();
  await page.goto(`${backend.baseUrl}/`);
  await page.getByRole("heading", { name: "Sign in to Doable" }).waitFor();

  await allowingConsole(page, /status of 401 .*\/api\/auth\/sign-in\/email/, async () => {
    await signIn(page, null, { ...user, password: "wrong-password-123" });
    await page
      .getByRole("alert")
      .filter({ hasText: /invalid|incorrect|wrong/i })
      .waitFor();
  });
  await signIn(page, null, user);
  await page.getByRole("heading", { name: "Tasks", level: 1 }).waitFor();
  await expectTitles(page, ["Buy oat milk", "Call plumber"]);
  assert.equal(await page.getByRole("checkbox", { name: "Completed: Call plumber" }).isChecked(), true);
  assert.equal(await page.getByRole("checkbox", { name: "Completed: Buy oat milk" }).isChecked(), false);

  // Deep links survive a reload (SPA fallback) and keep their filters.
  await page.goto(`${backend.baseUrl}/?status=completed`);
  await expectTitles(page, ["Call plumber"]);
  assert.equal(await page.getByRole("tab", { name: "Completed" }).getAttribute("aria-selected"), "true");

  await context.close();
});

test("paging loads more as you scroll, and with the Load more button", async () => {
  const user = account("pager");
  const context = await testContext(browser);
  const page = await context.newPage();
  await signUp(page, backend.baseUrl, user);
  // 120 tasks through the API (the page's own session), more than two pages of 50.
  await page.evaluate(async () => {
    const { token } = (await (await fetch("/api/auth/token")).json()) as { token: string };
    for (let i = 1; i <= 120; i++) {
      const res = await fetch("/api/tasks", {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ title: `Task ${String(i).padStart(3, "0")}` }),
      });
      if (res.status !== 201) throw new Error(`create failed: ${res.status}`);
    }
  });
  await page.reload();
  await page.locator(".task-title", { hasText: "Task 120" }).waitFor();
  assert.equal(await page.locator(".task").count(), 50);
  // Keyboard users: the button.
  await page.getByRole("button", { name: "Load more tasks" }).focus();
  await page.keyboard.press("Enter");
  await page.waitForFunction(() => document.querySelectorAll(".task").length === 100);
  // Scrolling: the sentinel.
  await page.locator(".load-more").scrollIntoViewIfNeeded();
  await page.waitForFunction(() => document.querySelectorAll(".task").length === 120);
  await page.getByRole("button", { name: "Load more tasks" }).waitFor({ state: "detached" });
  const titles = await page.locator(".task-title").allTextContents();
  assert.equal(new Set(titles).size, 120);
  assert.equal(titles[0], "Task 120");
  assert.equal(titles[119], "Task 001");

  // A phone-sized, dark-mode view of the same list.
  const phone = await testContext(browser, { colorScheme: "dark", viewport: { width: 390, height: 844 } });
  const phonePage = await phone.newPage();
  await signIn(phonePage, backend.baseUrl, user);
  await phonePage.locator(".task-title", { hasText: "Task 120" }).waitFor();
  await assertAccessible(phonePage, "task list (phone, dark)");
  await screenshot(phonePage, "task-list-phone-dark");
  const overflow = await phonePage.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
  assert.equal(overflow, false, "no horizontal scrolling at phone width");
  await phone.close();
  await context.close();
});

test("the app works under the server CSP, and an edit conflict is reported", async () => {
  const user = account("csp");
  const { context, violations } = await strictContext(browser);
  const page = await context.newPage();
  const res = await page.goto(`${backend.baseUrl}/sign-up`);
  const csp = res?.headers()["content-security-policy"];
  await signUp(page, backend.baseUrl, user);
  await createTask(page, { title: "Shared task" });

  // Open the editor, then change the task elsewhere (another tab) before saving.
  // The editor fetches the task with its ETag as it opens.
  await Promise.all([
    page.waitForResponse((r) => r.request().method() === "GET" && /^\/api\/tasks\/[^/]+$/.test(new URL(r.url()).pathname)),
    page.getByRole("button", { name: "Edit: Shared task" }).click(),
  ]);
  const edit = page.getByRole("dialog", { name: "Edit task" });
  await edit.getByLabel("Title").fill("My edit");
  const other = await context.newPage();
  await other.goto(`${backend.baseUrl}/`);
  await other.getByRole("button", { name: "Edit: Shared task" }).click();
  await other.getByRole("dialog", { name: "Edit task" }).getByLabel("Title").fill("Their edit");
  await other.getByRole("dialog", { name: "Edit task" }).getByRole("button", { name: "Save changes" }).click();
  await other.getByText("Saved “Their edit”.").waitFor();
  await other.close();

  const reopened = page.getByRole("dialog", { name: "Edit task" });
  await allowingConsole(page, /status of 412 .*\/api\/tasks\//, async () => {
    await edit.getByRole("button", { name: "Save changes" }).click();
    await reopened.getByText(/changed elsewhere/).waitFor();
  });
  assert.equal(await reopened.getByLabel("Title").inputValue(), "Their edit");
  await reopened.getByRole("button", { name: "Cancel" }).click();
  await expectTitles(page, ["Their edit"]);

  assert.deepEqual(violations, [], `CSP (${csp ?? "none sent"}) violations`);
  await context.close();
});

test("signing out in one tab signs out the others; signing in signs them in", async () => {
  const user = account("tabs");
  const context = await testContext(browser);
  const first = await context.newPage();
  await signUp(first, backend.baseUrl, user);
  const second = await context.newPage();
  await second.goto(`${backend.baseUrl}/?status=pending`);
  await second.getByText("No tasks match these filters.").waitFor();

  await first.getByRole("button", { name: "Sign out" }).click();
  await second.getByRole("heading", { name: "Sign in to Doable" }).waitFor({ timeout: 5_000 });
  await second.getByText("You signed out in another tab.").waitFor();

  await signIn(first, null, user);
  await first.getByRole("heading", { name: "Tasks", level: 1 }).waitFor();
  await second.getByRole("heading", { name: "Tasks", level: 1 }).waitFor({ timeout: 5_000 });
  await context.close();
});
