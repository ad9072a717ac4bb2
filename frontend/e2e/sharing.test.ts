import assert from "node:assert/strict";
import { after, afterEach, before, test } from "node:test";
import type { Browser, Page } from "playwright-core";
import {
  account,
  allowingConsole,
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

/** Waits until every write has been answered and the lists re-read. */
async function quiet(page: Page): Promise<void> {
  await settled(page);
  await page.waitForLoadState("networkidle");
}

/** A full page load of the list (what another person sees the next time they look). */
async function reloadList(page: Page, name: string): Promise<void> {
  await page.reload();
  await page.getByRole("heading", { name, level: 1 }).waitFor();
  await page.locator(".list-status").waitFor({ state: "detached" });
  await quiet(page);
}

async function openShare(page: Page, listName: string) {
  await page.getByRole("button", { name: "Share…" }).click();
  const dialog = page.getByRole("dialog", { name: `Share “${listName}”` });
  await dialog.getByRole("heading", { name: "Members" }).waitFor();
  await dialog.locator(".member-list").first().waitFor();
  await quiet(page);
  return dialog;
}

test("sharing a list: invite, accept, edit together, a viewer's read-only list, removal", async () => {
  const ann = account("ann");
  const bob = account("bob");
  const annContext = await testContext(browser);
  const bobContext = await testContext(browser);
  const a = await annContext.newPage();
  const b = await bobContext.newPage();
  await signUp(a, backend.baseUrl, ann);
  await signUp(b, backend.baseUrl, bob);

  // Ann's Inbox cannot be shared.
  const aSidebar = a.getByRole("navigation", { name: "Lists" });
  await aSidebar.getByRole("link", { name: "Inbox" }).click();
  await a.getByRole("heading", { name: "Inbox", level: 1 }).waitFor();
  await quiet(a);
  assert.equal(await a.getByRole("button", { name: "Share…" }).count(), 0, "no Share button on the Inbox");

  // Ann makes a list with a task and invites Bob as an editor.
  await aSidebar.getByRole("button", { name: "New list" }).click();
  const create = a.getByRole("dialog", { name: "New list" });
  await create.getByLabel("Name").fill("Trip");
  await create.getByRole("button", { name: "Create list" }).click();
  await a.getByRole("heading", { name: "Trip", level: 1 }).waitFor();
  const listPath = new URL(a.url()).pathname;
  await a.getByRole("button", { name: "+ New task" }).click();
  const newTask = a.getByRole("dialog", { name: "New task" });
  await newTask.getByLabel("Title").fill("Book the hotel");
  await newTask.getByRole("button", { name: "Create task" }).click();
  await newTask.waitFor({ state: "detached" });
  await quiet(a);

  let share = await openShare(a, "Trip");
  await share.getByLabel("Email address").fill(bob.email);
  await share.getByLabel("Role").selectOption("editor");
  await share.getByRole("button", { name: "Invite" }).click();
  await share.getByRole("status").getByText(`Invited ${bob.email} as an editor.`).waitFor();
  await share.locator(".member-name", { hasText: bob.email }).waitFor();
  await share.getByRole("button", { name: `Revoke the invitation to ${bob.email}` }).waitFor();
  await quiet(a);
  await assertAccessible(a, "share dialog with a pending invitation");
  await share.getByRole("button", { name: "Done" }).click();
  await share.waitFor({ state: "detached" });

  // Bob sees the invitation in his sidebar and accepts it: the list opens and is in his sidebar.
  await b.reload();
  const bSidebar = b.getByRole("navigation", { name: "Lists" });
  const invitations = bSidebar.getByRole("link", { name: /^Invitations/ });
  await bSidebar.getByRole("link", { name: /^Invitations\W*1 waiting$/ }).waitFor();
  await invitations.click();
  await b.getByRole("heading", { name: "Invitations", level: 1 }).waitFor();
  await b.getByRole("heading", { name: "Trip", level: 2 }).waitFor();
  await b.getByText(`${ann.name} invited you as editor`).waitFor();
  await quiet(b);
  await assertAccessible(b, "invitations inbox");
  await screenshot(b, "invitations");
  await b.getByRole("button", { name: "Accept: Trip" }).click();
  await b.getByRole("heading", { name: "Trip", level: 1 }).waitFor();
  assert.equal(new URL(b.url()).pathname, listPath);
  await bSidebar.getByRole("link", { name: /^Trip/ }).waitFor();
  await b.locator(".task-title", { hasText: "Book the hotel" }).waitFor();
  await bSidebar.getByRole("link", { name: "Invitations", exact: true }).waitFor();

  // As an editor, Bob adds a task; Ann sees it after a reload, and Bob among the members in the header.
  await b.getByRole("button", { name: "+ New task" }).click();
  const bobTask = b.getByRole("dialog", { name: "New task" });
  await bobTask.getByLabel("Title").fill("Buy the train tickets");
  await bobTask.getByRole("button", { name: "Create task" }).click();
  await bobTask.waitFor({ state: "detached" });
  await b.locator(".task-title", { hasText: "Buy the train tickets" }).waitFor();
  await quiet(b);
  assert.equal(await b.getByRole("button", { name: "Share…" }).count(), 0, "only the owner shares");
  await b.getByRole("button", { name: "Leave list…" }).waitFor();

  await reloadList(a, "Trip");
  await a.locator(".task-title", { hasText: "Buy the train tickets" }).waitFor();
  const avatars = a.getByRole("list", { name: "Members" });
  await avatars.getByText(`${bob.name}, editor`).waitFor();
  assert.deepEqual(await avatars.locator(".avatar").allTextContents(), ["AT", "BT"]);

  // Ann makes Bob a viewer: after a reload Bob's list is read-only.
  share = await openShare(a, "Trip");
  await assertAccessible(a, "share dialog with a member");
  await screenshot(a, "share-dialog");
  await share.getByRole("combobox", { name: `Role of ${bob.name}` }).selectOption("viewer");
  await share.getByRole("status").getByText(`${bob.name} is now a viewer.`).waitFor();
  await quiet(a);
  await share.getByRole("button", { name: "Done" }).click();
  await share.waitFor({ state: "detached" });

  await reloadList(b, "Trip");
  assert.match((await b.locator(".view-only").textContent()) ?? "", /^View only/);
  await b.locator(".task-title", { hasText: "Buy the train tickets" }).waitFor();
  assert.equal(await b.getByRole("button", { name: "+ New task" }).count(), 0, "a viewer adds no task");
  assert.equal(await b.locator(".task-tree .drag-handle").count(), 0, "a viewer has no drag handles");
  assert.equal(await b.getByRole("button", { name: /^(Edit|Delete|Move.*): / }).count(), 0, "a viewer edits, moves and deletes nothing");
  assert.equal(await b.getByRole("checkbox", { name: "Completed: Buy the train tickets" }).isDisabled(), true);
  await assertAccessible(b, "viewer's list");
  await screenshot(b, "viewer");

  // Ann removes Bob: after a reload Bob has lost the list.
  share = await openShare(a, "Trip");
  await share.getByRole("button", { name: `Remove ${bob.name}` }).click();
  const confirm = a.getByRole("dialog", { name: `Remove ${bob.name}?` });
  await confirm.getByRole("button", { name: "Remove" }).click();
  await share.getByRole("status").getByText(`Removed ${bob.name} from the list.`).waitFor();
  assert.equal(await share.locator(".member-name", { hasText: bob.name }).count(), 0);
  await quiet(a);
  await share.getByRole("button", { name: "Done" }).click();

  await allowingConsole(b, /404/, async () => {
    await b.reload();
    await b.getByText("This list does not exist; it may have been deleted.").waitFor();
    await quiet(b);
  });
  await bSidebar.getByRole("link", { name: "Inbox" }).waitFor();
  assert.equal(await bSidebar.getByRole("link", { name: /^Trip/ }).count(), 0, "the list is gone from Bob's sidebar");

  // Ann's list is as she left it: her two tasks and only her as a member.
  await reloadList(a, "Trip");
  assert.deepEqual(await a.locator(".task-tree > .task > .task-main .task-title").allTextContents(), [
    "Book the hotel",
    "Buy the train tickets",
  ]);
  assert.equal(await a.getByRole("list", { name: "Members" }).count(), 0, "no avatars once the list is hers alone");
  await annContext.close();
  await bobContext.close();
});
