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

/** A call of the API as the signed-in page (its bearer token): the JSON answer, or an error naming the status. */
async function apiCall<T>(page: Page, method: string, path: string, body?: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const { token } = (await (await fetch("/api/auth/token")).json()) as { token: string };
      const res = await fetch(path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return res.status === 204 ? null : res.json();
    },
    { method, path, body },
  ) as Promise<T>;
}

async function newTask(page: Page, title: string) {
  await page.getByRole("button", { name: "+ New task" }).click();
  const dialog = page.getByRole("dialog", { name: "New task" });
  await dialog.getByLabel("Title").fill(title);
  await dialog.getByRole("button", { name: "Create task" }).click();
  await dialog.waitFor({ state: "detached" });
  await page.locator(".task-title", { hasText: title }).first().waitFor();
  await settled(page);
}

test("two people share a list: comments, an assignment, Assigned to me, the list's activity, a viewer's comment", async () => {
  const ann = account("ann");
  const bob = account("bob");
  const contextA = await testContext(browser);
  const contextB = await testContext(browser);
  const a = await contextA.newPage();
  const b = await contextB.newPage();
  await signUp(a, backend.baseUrl, ann);
  await signUp(b, backend.baseUrl, bob);

  // Ann makes a list with a task, and shares it with Bob as an editor (through the API: the share dialog is tested elsewhere).
  const sidebarA = a.getByRole("navigation", { name: "Lists" });
  await sidebarA.getByRole("button", { name: "New list" }).click();
  const create = a.getByRole("dialog", { name: "New list" });
  await create.getByLabel("Name").fill("Groceries");
  await create.getByRole("button", { name: "Create list" }).click();
  await a.getByRole("heading", { name: "Groceries", level: 1 }).waitFor();
  const listId = new URL(a.url()).pathname.split("/").pop() ?? "";
  await newTask(a, "Buy milk");
  await apiCall(a, "POST", `/api/lists/${listId}/invitations`, { email: bob.email, role: "editor" });
  const incoming = await apiCall<{ id: string; list_name: string }[]>(b, "GET", "/api/invitations");
  assert.deepEqual(
    incoming.map((i) => i.list_name),
    ["Groceries"],
  );
  await apiCall(b, "POST", `/api/invitations/${incoming[0]?.id}/accept`);

  // Bob opens the task in the shared list and comments on it.
  await b.goto(`${backend.baseUrl}/lists/${listId}`);
  await b.getByRole("heading", { name: "Groceries", level: 1 }).waitFor();
  await b.getByRole("button", { name: "Edit: Buy milk", exact: true }).click();
  const dialogB = b.getByRole("dialog", { name: "Edit task" });
  const commentsB = dialogB.getByRole("region", { name: "Comments" });
  await commentsB.getByText("No comments yet.").waitFor();
  await commentsB.getByLabel("Add a comment").fill("Oat milk, please — the big carton.");
  await commentsB.getByRole("button", { name: "Comment" }).click();
  await commentsB.locator(".comment-body", { hasText: "Oat milk, please" }).waitFor();
  await dialogB.getByRole("button", { name: "Cancel" }).click();
  await dialogB.waitFor({ state: "detached" });

  // Ann sees Bob's comment after a reload, and assigns the task to him.
  await a.reload();
  await a.getByRole("button", { name: "Edit: Buy milk", exact: true }).click();
  const dialogA = a.getByRole("dialog", { name: "Edit task" });
  const commentsA = dialogA.getByRole("region", { name: "Comments" });
  const bobsComment = commentsA.locator(".comment", { hasText: "Oat milk, please" });
  await bobsComment.waitFor();
  assert.equal(await bobsComment.locator(".comment-author").textContent(), bob.name);
  assert.equal(await bobsComment.getByRole("button", { name: "Edit your comment" }).count(), 0);
  await commentsA.getByLabel("Add a comment").fill("Got it, adding it to the list.");
  await commentsA.getByRole("button", { name: "Comment" }).click();
  await commentsA.locator(".comment-body", { hasText: "Got it" }).waitFor();
  await dialogA.getByText("Created by you").waitFor();
  const picker = dialogA.getByLabel("Assignee");
  await picker.selectOption({ label: bob.name });
  await assertAccessible(a, "task dialog with comments");
  await screenshot(a, "comments");
  await dialogA.getByRole("button", { name: "Save changes" }).click();
  await dialogA.waitFor({ state: "detached" });
  await settled(a);
  const row = a.locator(".task", { hasText: "Buy milk" });
  await row.getByText(`Assigned to ${bob.name}`).waitFor();
  const task = (await apiCall<{ assignee_id: string | null; created_by: string | null }[]>(a, "GET", `/api/tasks?list_id=${listId}`))[0];
  const bobId = (await apiCall<{ id: string }>(b, "GET", "/api/me")).id;
  assert.equal(task?.assignee_id, bobId);

  // Bob finds it under "Assigned to me", and completes it there.
  await b.getByRole("navigation", { name: "Lists" }).getByRole("link", { name: "Assigned to me" }).click();
  await b.getByRole("heading", { name: "Assigned to me", level: 1 }).waitFor();
  const assigned = b.locator(".task", { hasText: "Buy milk" });
  await assigned.waitFor();
  await assigned.getByRole("link", { name: /Groceries/ }).waitFor();
  await assertAccessible(b, "assigned to me");
  // Completed here, it leaves the view (open tasks only) once the server has it: a click, not check().
  await b.waitForLoadState("networkidle");
  await b.getByRole("checkbox", { name: "Completed: Buy milk" }).click();
  await b.getByText("Completed “Buy milk”.").waitFor();
  await b.getByText("Nothing is assigned to you.").waitFor();

  // Ann reads the list's activity: who did what and when, newest first.
  await a.getByRole("link", { name: "Activity", exact: true }).click();
  await a.getByRole("heading", { name: "Activity in Groceries", level: 1 }).waitFor();
  await a.locator(".activity", { hasText: `${bob.name} completed “Buy milk”` }).waitFor();
  const lines = await a.locator(".activity-text").allTextContents();
  assert.equal(lines[0], `${bob.name} completed “Buy milk”`);
  for (const line of [
    `You assigned “Buy milk” to ${bob.name}`,
    `${bob.name} commented on “Buy milk”`,
    "You commented on “Buy milk”",
    `${bob.name} joined the list as an editor`,
    "You invited someone as an editor",
  ])
    assert.ok(lines.includes(line), `activity has "${line}": ${JSON.stringify(lines)}`);
  assert.ok(lines.indexOf("You invited someone as an editor") > lines.indexOf(`${bob.name} joined the list as an editor`), "newest first");
  // The task was added while the list was still private: a list's history starts when it is shared.
  assert.ok(!lines.includes("You added “Buy milk”"), JSON.stringify(lines));
  await assertAccessible(a, "list activity");
  await screenshot(a, "activity");

  // Ann makes Bob a viewer: he can no longer change or assign tasks, but he still opens them and comments.
  await a.getByRole("link", { name: "Back to Groceries" }).click();
  await newTask(a, "Buy bread");
  await apiCall(a, "PATCH", `/api/lists/${listId}/members/${bobId}`, { role: "viewer" });
  await b.goto(`${backend.baseUrl}/lists/${listId}`);
  await b.getByRole("heading", { name: "Groceries", level: 1 }).waitFor();
  await b.getByRole("button", { name: "Open: Buy bread", exact: true }).click();
  const viewing = b.getByRole("dialog", { name: "Task" });
  await viewing.getByText("Viewers cannot assign tasks.").waitFor();
  assert.equal(await viewing.getByLabel("Assignee").isDisabled(), true);
  assert.equal(await viewing.getByLabel("Title").isDisabled(), true);
  assert.equal(await viewing.getByRole("button", { name: "Save changes" }).count(), 0);
  const commentsV = viewing.getByRole("region", { name: "Comments" });
  await commentsV.getByLabel("Add a comment").fill("Sourdough if they have it.");
  await commentsV.getByRole("button", { name: "Comment" }).click();
  await commentsV.locator(".comment-body", { hasText: "Sourdough" }).waitFor();
  await assertAccessible(b, "a viewer's task dialog");
  await viewing.getByRole("button", { name: "Done" }).click();
  await viewing.waitFor({ state: "detached" });
  const bread = (await apiCall<{ id: string; title: string }[]>(a, "GET", `/api/tasks?list_id=${listId}`)).find(
    (t) => t.title === "Buy bread",
  );
  const stored = await apiCall<{ body: string; author_id: string }[]>(a, "GET", `/api/tasks/${bread?.id}/comments`);
  assert.deepEqual(
    stored.map((c) => [c.author_id, c.body]),
    [[bobId, "Sourdough if they have it."]],
  );

  await contextA.close();
  await contextB.close();
});
