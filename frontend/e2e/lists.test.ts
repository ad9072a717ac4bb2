import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  account,
  assertAccessible,
  assertQuietConsoles,
  type Backend,
  launchBrowser,
  screenshot,
  settled,
  signUp,
  startBackend,
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

/** A GET of the API as the signed-in page (its bearer token), for what the server stored. */
async function apiGet<T>(page: Page, path: string): Promise<T> {
  return page.evaluate(async (p) => {
    const { token } = (await (await fetch("/api/auth/token")).json()) as { token: string };
    const res = await fetch(p, { headers: { authorization: `Bearer ${token}` } });
    if (!res.ok) throw new Error(`GET ${p}: ${res.status}`);
    return res.json();
  }, path) as Promise<T>;
}

interface ApiTask {
  id: string;
  title: string;
}

/** The top-level titles of a list, in the order the server keeps them. */
async function serverOrder(page: Page, listId: string): Promise<string[]> {
  const tasks = await apiGet<ApiTask[]>(page, `/api/tasks?list_id=${listId}&parent_id=none&sort=position`);
  return tasks.map((t) => t.title);
}

const shownOrder = (page: Page) => page.locator(".task-tree > .task > .task-main .task-title").allTextContents();

/** Waits until the list page shows exactly these top-level titles in this order, with nothing pending. */
async function expectOrder(page: Page, titles: string[]): Promise<void> {
  try {
    await page.waitForFunction(
      (want) =>
        JSON.stringify([...document.querySelectorAll(".task-tree > .task > .task-main .task-title")].map((e) => e.textContent)) ===
          JSON.stringify(want) && document.querySelectorAll(".task-pending").length === 0,
      titles,
      { timeout: 10_000 },
    );
  } catch {
    assert.deepEqual(await shownOrder(page), titles);
  }
}

/** Waits until every write has been answered and the lists re-read. */
async function quiet(page: Page): Promise<void> {
  await settled(page);
  await page.waitForLoadState("networkidle");
}

async function newTask(page: Page, title: string, button = "+ New task") {
  await page.getByRole("button", { name: button }).click();
  const dialog = page.getByRole("dialog", { name: "New task" });
  await dialog.getByLabel("Title").fill(title);
  await dialog.getByRole("button", { name: "Create task" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.locator(".task-title", { hasText: title }).first().waitFor();
  await settled(page);
}

async function editTask(page: Page, title: string, change: (dialog: ReturnType<Page["getByRole"]>) => Promise<void>) {
  await page.getByRole("button", { name: `Edit: ${title}`, exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Edit task" });
  await change(dialog);
  await dialog.getByRole("button", { name: "Save changes" }).click();
  await dialog.waitFor({ state: "detached" });
  await quiet(page);
}

/** Waits until a live region (dnd-kit's announcements) says one of `texts`: the keyboard drag has taken that step. */
async function announcedWithin(page: Page, timeout: number, texts: string[]): Promise<void> {
  await page.waitForFunction(
    (ts) => [...document.querySelectorAll("[aria-live]")].some((e) => ts.some((t) => e.textContent?.includes(t))),
    texts,
    { timeout },
  );
}

/**
 * A keyboard drag: Space on the handle (pressed as a locator: focus and key in one step), the steps,
 * each waited for in dnd-kit's announcements, then Space to drop. A re-render that replaces the
 * handle or the rows mid-drag (the sidebar refetching its counts) cancels a keyboard drag, so the
 * page is first let settle, and a drag that lost its way is cancelled (Escape) and made again,
 * at most three times.
 */
async function keyboardDrag(
  page: Page,
  handle: ReturnType<Page["getByRole"]>,
  pickedUp: string[],
  steps: { key: string; says: string }[],
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await quiet(page);
    try {
      await handle.press("Space");
      await announcedWithin(page, 5_000, pickedUp);
      for (const step of steps) {
        await page.keyboard.press(step.key);
        await announcedWithin(page, 5_000, [step.says]);
      }
      await page.keyboard.press("Space");
      return;
    } catch (err) {
      if (attempt >= 3) throw err;
      await page.keyboard.press("Escape");
    }
  }
}

/** "YYYY-MM-DD" of the day `offset` days from today in `timeZone`. */
function day(timeZone: string, offset = 0): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    Date.now() + offset * 86_400_000,
  );
  return parts;
}

test("lists, subtasks, manual order by mouse and keyboard, Today, Upcoming and time zones", async () => {
  const user = account("lists");
  const context = await testContext(browser);
  const page = await context.newPage();
  await signUp(page, backend.baseUrl, user);
  // A new account takes the browser's zone (Paris here).
  assert.equal((await apiGet<{ timezone: string }>(page, "/api/me")).timezone, "Europe/Paris");

  // The sidebar: Inbox, Today, Upcoming, then the lists.
  const sidebar = page.getByRole("navigation", { name: "Lists" });
  await sidebar.getByRole("link", { name: "Inbox" }).waitFor();

  // Create a list.
  await sidebar.getByRole("button", { name: "New list" }).click();
  const create = page.getByRole("dialog", { name: "New list" });
  await create.getByLabel("Name").fill("Groceries");
  await create.getByLabel("Colour").selectOption({ label: "Green" });
  await assertAccessible(page, "new list dialog");
  await create.getByRole("button", { name: "Create list" }).click();
  await page.getByRole("heading", { name: "Groceries", level: 1 }).waitFor();
  const listId = new URL(page.url()).pathname.split("/").pop() ?? "";
  await page.getByText("No open tasks here.").waitFor();
  await assertAccessible(page, "empty list");

  // Tasks go to the end of the list, in the order they are added.
  for (const title of ["Apples", "Bread", "Cheese", "Dates"]) await newTask(page, title);
  await expectOrder(page, ["Apples", "Bread", "Cheese", "Dates"]);
  assert.deepEqual(await serverOrder(page, listId), ["Apples", "Bread", "Cheese", "Dates"]);
  await sidebar.getByRole("link", { name: /^Groceries\W*4 open$/ }).waitFor();

  // A subtask, shown under its parent with the parent's progress.
  await page.getByRole("button", { name: "Add subtask: Bread" }).click();
  const sub = page.getByRole("dialog", { name: "New task" });
  await sub.getByText("Subtask of “Bread”").waitFor();
  await sub.getByLabel("Title").fill("Wholemeal");
  await sub.getByRole("button", { name: "Create task" }).click();
  await sub.waitFor({ state: "detached" });
  const bread = page.locator(".task-tree > .task", { hasText: "Bread" });
  await bread.locator(".subtask-list .task-title", { hasText: "Wholemeal" }).waitFor();
  await quiet(page);
  await bread.getByText("0/1").waitFor();
  // A second one goes after the first.
  await page.getByRole("button", { name: "Add subtask: Bread" }).click();
  await sub.getByLabel("Title").fill("Rye");
  await sub.getByRole("button", { name: "Create task" }).click();
  await sub.waitFor({ state: "detached" });
  await quiet(page);
  await bread.getByText("0/2").waitFor();
  assert.deepEqual(await bread.locator(".subtask-list .task-title").allTextContents(), ["Wholemeal", "Rye"]);
  const [wholemeal] = await apiGet<(ApiTask & { parent_id: string })[]>(page, `/api/tasks?list_id=${listId}&sort=position&q=Wholemeal`);
  assert.equal(wholemeal?.title, "Wholemeal");
  // Collapsible.
  await page.getByRole("button", { name: "Hide subtasks of Bread" }).click();
  await bread.locator(".subtask-list").waitFor({ state: "detached" });
  await page.getByRole("button", { name: "Show subtasks of Bread" }).click();
  await bread.locator(".subtask-list .task-title", { hasText: "Wholemeal" }).waitFor();
  // Completing a subtask: 1/2 (completed tasks are hidden until "Show completed").
  await page.getByRole("checkbox", { name: "Completed: Wholemeal" }).click();
  await quiet(page);
  await bread.getByText("1/2").waitFor();
  assert.deepEqual(await bread.locator(".subtask-list .task-title").allTextContents(), ["Rye"]);
  await page.getByLabel("Show completed").check();
  await bread.locator(".subtask-list .task-done .task-title", { hasText: "Wholemeal" }).waitFor();
  await page.getByLabel("Show completed").uncheck();

  // Reorder from the keyboard, with the "Move down" button: Apples goes below Bread.
  await page.getByRole("button", { name: "Move down: Apples" }).focus();
  await page.keyboard.press("Enter");
  await expectOrder(page, ["Bread", "Apples", "Cheese", "Dates"]);
  await quiet(page);
  assert.deepEqual(await serverOrder(page, listId), ["Bread", "Apples", "Cheese", "Dates"]);

  // Reorder from the keyboard with the drag handle: Space picks Dates up, two arrows up, Space drops it.
  await keyboardDrag(
    page,
    page.getByRole("button", { name: "Reorder: Dates" }),
    ["Picked up Dates, position 4 of 4.", "Dates is now at position 4 of 4."],
    [
      { key: "ArrowUp", says: "Dates is now at position 3 of 4." },
      { key: "ArrowUp", says: "Dates is now at position 2 of 4." },
    ],
  );
  await expectOrder(page, ["Bread", "Dates", "Apples", "Cheese"]);
  await quiet(page);
  assert.deepEqual(await serverOrder(page, listId), ["Bread", "Dates", "Apples", "Cheese"]);

  // Reorder by drag and drop with the mouse: Cheese to the top.
  const handle = page.getByRole("button", { name: "Reorder: Cheese" });
  const target = page.getByRole("button", { name: "Reorder: Bread" });
  const from = await handle.boundingBox();
  const to = await target.boundingBox();
  assert.ok(from && to);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2 - 10, { steps: 3 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2 - 10, { steps: 12 });
  await page.mouse.up();
  await expectOrder(page, ["Cheese", "Bread", "Dates", "Apples"]);
  await quiet(page);
  assert.deepEqual(await serverOrder(page, listId), ["Cheese", "Bread", "Dates", "Apples"]);

  // Alt+arrow on a handle moves at once, without picking the task up.
  await page.getByRole("button", { name: "Reorder: Apples" }).focus();
  await page.keyboard.press("Alt+ArrowUp");
  await expectOrder(page, ["Cheese", "Bread", "Apples", "Dates"]);
  await quiet(page);
  assert.deepEqual(await serverOrder(page, listId), ["Cheese", "Bread", "Apples", "Dates"]);
  await page.keyboard.press("Alt+ArrowDown");
  await expectOrder(page, ["Cheese", "Bread", "Dates", "Apples"]);
  await quiet(page);
  assert.deepEqual(await serverOrder(page, listId), ["Cheese", "Bread", "Dates", "Apples"]);

  // Dates: an all-day date today, a time tomorrow at 10:00 (in Paris).
  await editTask(page, "Cheese", (d) => d.getByLabel("Due day (all day, optional)").fill(day("Europe/Paris")));
  const tomorrow = day("Europe/Paris", 1);
  await editTask(page, "Apples", (d) => d.getByLabel("Due (your local time, optional)").fill(`${tomorrow}T10:00`));
  const applesTime = page.locator(".task", { hasText: "Apples" }).locator("time");
  assert.match((await applesTime.textContent()) ?? "", /10:00/);
  await assertAccessible(page, "list page");
  await screenshot(page, "list");

  // Today: the all-day task, with its list's name.
  await sidebar.getByRole("link", { name: "Today" }).click();
  await page.getByRole("heading", { name: "Today", level: 1 }).waitFor();
  const cheese = page.locator(".task", { hasText: "Cheese" });
  await cheese.waitFor();
  await cheese.getByRole("link", { name: /Groceries/ }).waitFor();
  assert.equal(await page.locator(".task", { hasText: "Apples" }).count(), 0, "tomorrow is not today");
  await assertAccessible(page, "today");
  await screenshot(page, "today");

  // Upcoming: both.
  await sidebar.getByRole("link", { name: "Upcoming" }).click();
  await page.getByRole("heading", { name: "Upcoming", level: 1 }).waitFor();
  await page.locator(".task", { hasText: "Cheese" }).waitFor();
  await page.locator(".task", { hasText: "Apples" }).waitFor();
  await assertAccessible(page, "upcoming");
  await screenshot(page, "upcoming");

  // A new time zone moves the times (10:00 in Paris is 18:00 in Tokyo in winter, 17:00 in summer), not the days.
  const dueAt = (await apiGet<{ due_at: string }[]>(page, `/api/tasks?q=Apples`))[0]?.due_at ?? "";
  const tokyo = new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Tokyo", hour: "2-digit", minute: "2-digit" }).format(new Date(dueAt));
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await page.getByRole("heading", { name: "Settings", level: 1 }).waitFor();
  await page.getByLabel("Search time zones").fill("tokyo");
  await page.getByLabel("Time zone", { exact: true }).selectOption("Asia/Tokyo");
  await assertAccessible(page, "settings");
  await screenshot(page, "settings");
  await page.getByRole("button", { name: "Save time zone" }).click();
  await page.getByText("Your time zone is now Asia/Tokyo.").waitFor();
  assert.equal((await apiGet<{ timezone: string }>(page, "/api/me")).timezone, "Asia/Tokyo");
  await sidebar.getByRole("link", { name: /Groceries/ }).click();
  await page.getByRole("heading", { name: "Groceries", level: 1 }).waitFor();
  await page.waitForFunction((want) => document.querySelector(".task-tree")?.textContent?.includes(want), tokyo);
  assert.match((await page.locator(".task", { hasText: "Apples" }).locator("time").textContent()) ?? "", new RegExp(tokyo));
  // The editor shows the time in the new zone too.
  await page.getByRole("button", { name: "Edit: Apples", exact: true }).click();
  const edit = page.getByRole("dialog", { name: "Edit task" });
  assert.match(await edit.getByLabel("Due (your local time, optional)").inputValue(), new RegExp(`T${tokyo}$`));
  await edit.getByRole("button", { name: "Cancel" }).click();

  // Deep link to a task: it opens in its list.
  const [apples] = await apiGet<ApiTask[]>(page, "/api/tasks?q=Apples");
  await page.goto(`${backend.baseUrl}/tasks/${apples?.id}`);
  await page.getByRole("dialog", { name: "Edit task" }).waitFor();
  assert.equal(await page.getByRole("dialog", { name: "Edit task" }).getByLabel("Title").inputValue(), "Apples");
  assert.equal(new URL(page.url()).pathname, `/lists/${listId}`);
  await page.keyboard.press("Escape");

  // Another list; a task moves there with its subtasks.
  await sidebar.getByRole("button", { name: "New list" }).click();
  await page.getByRole("dialog", { name: "New list" }).getByLabel("Name").fill("Party");
  await page.getByRole("dialog", { name: "New list" }).getByRole("button", { name: "Create list" }).click();
  await page.getByRole("heading", { name: "Party", level: 1 }).waitFor();
  const partyId = new URL(page.url()).pathname.split("/").pop() ?? "";
  await page.goto(`${backend.baseUrl}/lists/${listId}`);
  await page.getByRole("button", { name: "Move to another list: Bread" }).click();
  const move = page.getByRole("dialog", { name: "Move to another list" });
  await move.getByLabel("List").selectOption({ label: "Party" });
  await move.getByRole("button", { name: "Move" }).click();
  await expectOrder(page, ["Cheese", "Dates", "Apples"]);
  await quiet(page);
  assert.deepEqual(await serverOrder(page, partyId), ["Bread"]);
  const moved = await apiGet<{ list_id: string }[]>(page, "/api/tasks?q=Wholemeal");
  assert.equal(moved[0]?.list_id, partyId, "the subtask moved with its parent");

  // Lists reorder in the sidebar from the keyboard: Party above Groceries.
  await keyboardDrag(
    page,
    sidebar.getByRole("button", { name: "Reorder list: Party" }),
    ["Picked up Party, position 2 of 2.", "Party is now at position 2 of 2."],
    [{ key: "ArrowUp", says: "Party is now at position 1 of 2." }],
  );
  await page.waitForFunction(
    () => [...document.querySelectorAll(".sidebar-lists .sidebar-name")].map((e) => e.textContent).join() === "Party,Groceries",
  );
  await quiet(page);
  const order = (await apiGet<{ name: string }[]>(page, "/api/lists")).map((l) => l.name);
  assert.deepEqual(order, ["Inbox", "Party", "Groceries"]);

  // Archive a list: out of the sidebar, reachable under "Archived lists"; then delete it, confirmed.
  await sidebar.getByRole("link", { name: /Party/ }).click();
  await page.getByRole("heading", { name: "Party", level: 1 }).waitFor();
  await page.getByRole("button", { name: "Archive list" }).click();
  await page.getByText("Archived “Party”.").waitFor();
  await page.waitForFunction(() => ![...document.querySelectorAll(".sidebar-lists .sidebar-name")].some((e) => e.textContent === "Party"));
  await sidebar.getByRole("link", { name: "Archived lists" }).click();
  await page.getByRole("heading", { name: "Archived lists", level: 1 }).waitFor();
  await assertAccessible(page, "archived lists");
  await page.getByRole("link", { name: "Party" }).click();
  await page.getByRole("button", { name: "Delete list…" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete list?" });
  await confirm.getByText(/“Party” and all 3 of its tasks will be deleted/).waitFor();
  await confirm.getByRole("button", { name: "Delete list and tasks" }).click();
  await page.getByText("Deleted “Party” and its tasks.").waitFor();
  const remaining = (await apiGet<{ name: string }[]>(page, "/api/lists?archived=all")).map((l) => l.name);
  assert.deepEqual(remaining, ["Inbox", "Groceries"]);
  await quiet(page);
  await context.close();
});
