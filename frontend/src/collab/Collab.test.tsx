import { QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { api } from "../api/client";
import type { Activity, Comment, List, Member, Task } from "../api/openapi";
import { AuthProvider } from "../auth/AuthProvider";
import { createQueryClient } from "../queryClient";
import { fakeJwt, json, problemResponse, seen, sessionResponse } from "../test-utils";
import { ToastProvider } from "../ui/Toasts";

type Route = (method: string, url: URL, body: unknown) => Response | Promise<Response> | undefined;

const me = { id: "u1", email: "ann@example.com", name: "Ann", role: "user", created_at: "2025-01-01T00:00:00.000Z", timezone: "UTC" };
const list = (id: string, name: string, extra: Partial<List> = {}): List => ({
  id,
  name,
  color: null,
  position: "a0",
  is_inbox: false,
  archived: false,
  owner_id: "u1",
  role: "owner",
  member_count: 3,
  task_count: 2,
  open_task_count: 2,
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z",
  ...extra,
});
const task = (id: string, title: string, extra: Partial<Task> = {}): Task =>
  ({
    id,
    title,
    description: null,
    completed: false,
    completed_at: null,
    priority: "none",
    due_at: null,
    tags: [],
    user_id: "u1",
    created_at: "2025-01-01T00:00:00.000Z",
    updated_at: "2025-01-01T00:00:00.000Z",
    list_id: "l1",
    parent_id: null,
    position: "a0",
    due_date: null,
    subtask_count: 0,
    open_subtask_count: 0,
    created_by: "u1",
    assignee_id: null,
    ...extra,
  }) as Task;
const member = (user_id: string, name: string, role: Member["role"]): Member => ({
  user_id,
  name,
  email: `${name.split(" ")[0]?.toLowerCase()}@example.com`,
  image: null,
  role,
  joined_at: "2025-01-01T00:00:00.000Z",
});
const comment = (id: string, author_id: string | null, body: string, extra: Partial<Comment> = {}): Comment => ({
  id,
  task_id: "b",
  author_id,
  body,
  created_at: new Date(Date.now() - 3_600_000).toISOString(),
  updated_at: new Date(Date.now() - 3_600_000).toISOString(),
  ...extra,
});
const minutesAgo = (n: number) => new Date(Date.now() - n * 60_000).toISOString();

const LISTS = [
  list("inbox", "Inbox", { is_inbox: true, member_count: 1 }),
  list("l1", "Groceries"),
  list("l2", "Family", { role: "viewer", owner_id: "u2" }),
];
const MEMBERS = [member("u1", "Ann", "owner"), member("u2", "Bob Stone", "editor"), member("u3", "Cleo", "viewer")];
const FAMILY = [member("u2", "Bob Stone", "owner"), member("u1", "Ann", "viewer")];
const next = (cursor: string) => ({ headers: { link: `</api/x?cursor=${cursor}>; rel="next"` } });

let routes: Route[] = [];
const requests: { method: string; path: string; body: unknown }[] = [];

beforeEach(() => {
  routes = [];
  requests.length = 0;
  api.tokens.clear();
  history.replaceState(null, "", "/lists/l1");
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const { method, url, path, body } = await seen(input, init);
    requests.push({ method, path, body });
    if (url.pathname === "/api/auth/get-session") return sessionResponse(fakeJwt({ sub: "u1", exp: Date.now() / 1000 + 900 }));
    for (const r of routes) {
      const res = r(method, url, body);
      if (res) return res;
    }
    if (url.pathname === "/api/me") return json(me);
    if (url.pathname === "/api/lists") return json(LISTS);
    if (url.pathname === "/api/lists/l1") return json(LISTS[1]);
    if (url.pathname === "/api/lists/l2") return json(LISTS[2]);
    if (url.pathname === "/api/lists/l1/members") return json(MEMBERS);
    if (url.pathname === "/api/lists/l2/members") return json(FAMILY);
    return problemResponse(404, "not found");
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const renderApp = () =>
  render(
    <QueryClientProvider client={createQueryClient()}>
      <ToastProvider>
        <AuthProvider>
          <App />
        </AuthProvider>
      </ToastProvider>
    </QueryClientProvider>,
  );

const isTopLevel = (url: URL, listId = "l1") =>
  url.pathname === "/api/tasks" && url.searchParams.get("parent_id") === "none" && url.searchParams.get("list_id") === listId;

/** The list's tasks, and each task by id (the dialog re-reads it with its ETag). */
function serveTasks(tasks: Task[], listId = "l1") {
  routes.push((m, url) => {
    if (m === "GET" && isTopLevel(url, listId)) return json(tasks);
    const one = tasks.find((t) => url.pathname === `/api/tasks/${t.id}`);
    if (m === "GET" && one) return json(one, { headers: { etag: '"1"' } });
    return undefined;
  });
}

const dialog = () => screen.getByRole("dialog");

describe("assignees", () => {
  it("shows the assignee's initials on a shared list's rows, and assigns a task from the dialog", async () => {
    const stored = [task("a", "Apples", { assignee_id: "u2" }), task("b", "Bread", { created_by: "u3" })];
    serveTasks(stored);
    routes.push((m, url, body) => {
      if (m === "GET" && url.pathname === "/api/tasks/b/comments") return json([]);
      if (m === "PATCH" && url.pathname === "/api/tasks/b") {
        stored[1] = task("b", "Bread", { ...(body as Partial<Task>), created_by: "u3", updated_at: "2025-01-02T00:00:00.000Z" });
        return json(stored[1]);
      }
      return undefined;
    });
    renderApp();
    const apples = (await screen.findByText("Apples")).closest("li") as HTMLElement;
    expect(await within(apples).findByText("Assigned to Bob Stone")).toBeTruthy();
    expect(within(apples).getByText("BS").getAttribute("aria-hidden")).toBe("true");
    const bread = screen.getByText("Bread").closest("li") as HTMLElement;
    expect(within(bread).queryByText(/Assigned to/)).toBeNull();

    fireEvent.click(screen.getByRole("button", { name: "Edit: Bread" }));
    expect(await within(dialog()).findByText("Created by Cleo")).toBeTruthy();
    const picker = within(dialog()).getByLabelText<HTMLSelectElement>("Assignee");
    expect(picker.disabled).toBe(false);
    // One read of the members serves every row and the dialog (each task write re-reads them, with the lists).
    expect(requests.filter((r) => r.path === "/api/lists/l1/members")).toHaveLength(1);
    expect(picker.value).toBe("");
    expect([...picker.options].map((o) => o.textContent)).toEqual(["Unassigned", "Ann", "Bob Stone", "Cleo"]);
    fireEvent.change(picker, { target: { value: "u2" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Save changes" }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === "PATCH")).toMatchObject({ path: "/api/tasks/b", body: { assignee_id: "u2" } }),
    );
    const row = (await screen.findByText("Bread")).closest("li") as HTMLElement;
    expect(await within(row).findByText("Assigned to Bob Stone")).toBeTruthy();
  });

  it("un-assigns with Unassigned, and names the creator 'you' or, for a deleted account, 'Someone'", async () => {
    serveTasks([task("a", "Apples", { assignee_id: "u2" }), task("b", "Bread", { created_by: null })]);
    routes.push((m, url) => {
      if (m === "GET" && url.pathname.endsWith("/comments")) return json([]);
      if (m === "PATCH" && url.pathname === "/api/tasks/a") return json(task("a", "Apples"));
      return undefined;
    });
    renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "Edit: Apples" }));
    expect(await within(dialog()).findByText("Created by you")).toBeTruthy();
    const picker = within(dialog()).getByLabelText<HTMLSelectElement>("Assignee");
    await waitFor(() => expect(picker.value).toBe("u2"));
    fireEvent.change(picker, { target: { value: "" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Save changes" }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === "PATCH")).toMatchObject({ path: "/api/tasks/a", body: { assignee_id: null } }),
    );
    fireEvent.click(await screen.findByRole("button", { name: "Edit: Bread" }));
    expect(await within(dialog()).findByText("Created by someone")).toBeTruthy();
  });

  it("creates a task assigned to a member", async () => {
    const stored: Task[] = [];
    serveTasks(stored);
    routes.push((m, url, body) => {
      if (m !== "POST" || url.pathname !== "/api/tasks") return undefined;
      stored.push(task("n", "Wine", body as Partial<Task>));
      return json(stored[0], { status: 201 });
    });
    renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "+ New task" }));
    fireEvent.change(within(dialog()).getByLabelText("Title"), { target: { value: "Wine" } });
    const picker = await within(dialog()).findByLabelText<HTMLSelectElement>("Assignee");
    await waitFor(() => expect(picker.disabled).toBe(false));
    expect(within(dialog()).queryByText(/Created by/)).toBeNull();
    fireEvent.change(picker, { target: { value: "u3" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Create task" }));
    await waitFor(() =>
      expect(requests.find((r) => r.method === "POST")?.body).toMatchObject({ title: "Wine", list_id: "l1", assignee_id: "u3" }),
    );
    const row = (await screen.findByText("Wine")).closest("li") as HTMLElement;
    expect(await within(row).findByText("Assigned to Cleo")).toBeTruthy();
  });

  it("shows the server's refusal of an assignee next to the picker", async () => {
    serveTasks([task("b", "Bread")]);
    routes.push((m, url) => {
      if (m === "GET" && url.pathname.endsWith("/comments")) return json([]);
      if (m === "PATCH" && url.pathname === "/api/tasks/b")
        return problemResponse(422, "The request body is not valid.", {
          errors: [{ field: "/assignee_id", message: "is not a member of this list" }],
        });
      return undefined;
    });
    renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "Edit: Bread" }));
    const picker = await within(dialog()).findByLabelText<HTMLSelectElement>("Assignee");
    await waitFor(() => expect(picker.disabled).toBe(false)); // once the members are known
    fireEvent.change(picker, { target: { value: "u3" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Save changes" }));
    expect(await screen.findByText("Is not a member of this list.")).toBeTruthy();
  });

  it("offers no picker in a list nobody shares", async () => {
    history.replaceState(null, "", "/lists/inbox");
    routes.push((_m, url) => (url.pathname === "/api/lists/inbox" ? json(LISTS[0]) : undefined));
    serveTasks([task("p", "Private", { list_id: "inbox" })], "inbox");
    routes.push((m, url) => (m === "GET" && url.pathname.endsWith("/comments") ? json([]) : undefined));
    renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "Edit: Private" }));
    expect(await within(dialog()).findByText("No comments yet.")).toBeTruthy();
    expect(within(dialog()).queryByLabelText("Assignee")).toBeNull();
    expect(requests.some((r) => r.path.includes("/members"))).toBe(false);
  });

  it("shows a viewer the task and its assignee read-only, and lets them comment", async () => {
    history.replaceState(null, "", "/lists/l2");
    serveTasks([task("f", "Call grandma", { list_id: "l2", assignee_id: "u2", created_by: "u2" })], "l2");
    routes.push((m, url, body) => {
      if (m === "GET" && url.pathname === "/api/tasks/f/comments") return json([]);
      if (m === "POST" && url.pathname === "/api/tasks/f/comments")
        return json(comment("n1", "u1", (body as { body: string }).body, { task_id: "f" }), { status: 201 });
      return undefined;
    });
    renderApp();
    // A viewer's row cannot change the task, but opens it.
    fireEvent.click(await screen.findByRole("button", { name: "Open: Call grandma" }));
    const picker = await within(dialog()).findByLabelText<HTMLSelectElement>("Assignee");
    await waitFor(() => expect(picker.value).toBe("u2"));
    expect(picker.disabled).toBe(true);
    expect(within(dialog()).getByText("Viewers cannot assign tasks.")).toBeTruthy();
    // The task itself is read-only for them: no field to change, nothing to save.
    expect(within(dialog()).getByRole("heading", { name: "Task" })).toBeTruthy();
    expect(within(dialog()).getByLabelText("Title").matches(":disabled")).toBe(true);
    expect(within(dialog()).queryByRole("button", { name: "Save changes" })).toBeNull();
    expect(within(dialog()).getByRole("button", { name: "Done" })).toBeTruthy();
    fireEvent.change(within(dialog()).getByLabelText("Add a comment"), { target: { value: "I'll visit on Sunday" } });
    fireEvent.click(within(dialog()).getByRole("button", { name: "Comment" }));
    expect(await within(dialog()).findByText("I'll visit on Sunday")).toBeTruthy();
    expect(requests.find((r) => r.method === "POST")).toMatchObject({
      path: "/api/tasks/f/comments",
      body: { body: "I'll visit on Sunday" },
    });
  });
});

describe("comments", () => {
  it("lists a task's comments oldest first with their authors, loads more, and lets only the author edit or delete", async () => {
    serveTasks([task("b", "Bread")]);
    let mine = comment("c2", "u1", "I'll get rye");
    routes.push((m, url, body) => {
      if (m === "GET" && url.pathname === "/api/tasks/b/comments") {
        if (url.searchParams.get("cursor") === "p2") return json([comment("c4", "gone", "From someone who left")]);
        return json([comment("c1", "u2", "Wholemeal, please"), mine, comment("c3", null, "From a deleted account")], next("p2"));
      }
      if (m === "PATCH" && url.pathname === "/api/comments/c2") {
        mine = { ...mine, body: (body as { body: string }).body, updated_at: new Date().toISOString() };
        return json(mine);
      }
      if (m === "DELETE" && url.pathname === "/api/comments/c2") return new Response(null, { status: 204 });
      return undefined;
    });
    renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "Edit: Bread" }));
    const comments = await within(dialog()).findByRole("region", { name: "Comments" });
    await within(comments).findByText("Wholemeal, please");
    expect(requests.map((r) => r.path)).toContain("/api/tasks/b/comments?limit=20");
    const items = () => within(comments).getAllByRole("listitem");
    expect(items().map((li) => li.querySelector(".comment-author")?.textContent)).toEqual(["Bob Stone", "Ann", "Someone"]);
    expect(within(items()[0] as HTMLElement).getByText("1 h ago")).toBeTruthy();
    // Only the author's own comment has Edit and Delete.
    expect(within(comments).getAllByRole("button", { name: "Edit your comment" })).toHaveLength(1);
    expect(within(items()[0] as HTMLElement).queryByRole("button", { name: /Edit|Delete/ })).toBeNull();

    fireEvent.click(within(comments).getByRole("button", { name: "Load more comments" }));
    expect(await within(comments).findByText("From someone who left")).toBeTruthy();
    expect(requests.map((r) => r.path)).toContain("/api/tasks/b/comments?limit=20&cursor=p2");
    expect(items().at(-1)?.querySelector(".comment-author")?.textContent).toBe("A former member");

    fireEvent.click(within(comments).getByRole("button", { name: "Edit your comment" }));
    fireEvent.change(within(comments).getByLabelText("Edit your comment"), { target: { value: "Rye and a baguette" } });
    fireEvent.click(within(comments).getByRole("button", { name: "Save comment" }));
    const body = (i: number) => items()[i]?.querySelector(".comment-body")?.textContent;
    await waitFor(() => expect(body(1)).toBe("Rye and a baguette"));
    expect(requests.find((r) => r.method === "PATCH")).toMatchObject({ path: "/api/comments/c2", body: { body: "Rye and a baguette" } });
    expect(within(items()[1] as HTMLElement).getByText("(edited)")).toBeTruthy();

    fireEvent.click(within(comments).getByRole("button", { name: "Delete your comment" }));
    fireEvent.click(await screen.findByRole("button", { name: "Delete comment" }));
    await waitFor(() => expect(items()).toHaveLength(3));
    expect(items().map((_, i) => body(i))).toEqual(["Wholemeal, please", "From a deleted account", "From someone who left"]);
    expect(requests.find((r) => r.method === "DELETE")?.path).toBe("/api/comments/c2");
  });

  it("adds a comment at the end, refuses a blank one, and keeps the draft when the server refuses", async () => {
    serveTasks([task("b", "Bread")]);
    let attempts = 0;
    routes.push((m, url, body) => {
      if (m === "GET" && url.pathname === "/api/tasks/b/comments") return json([comment("c1", "u2", "First")]);
      if (m === "POST" && url.pathname === "/api/tasks/b/comments") {
        if (++attempts === 1) return problemResponse(503, "Database is busy, try again.");
        return json(comment("c9", "u1", (body as { body: string }).body, { created_at: new Date().toISOString() }), { status: 201 });
      }
      return undefined;
    });
    renderApp();
    fireEvent.click(await screen.findByRole("button", { name: "Edit: Bread" }));
    const comments = await within(dialog()).findByRole("region", { name: "Comments" });
    await within(comments).findByText("First");
    fireEvent.change(within(comments).getByLabelText("Add a comment"), { target: { value: "   " } });
    fireEvent.click(within(comments).getByRole("button", { name: "Comment" }));
    expect(await within(comments).findByText("Write something first.")).toBeTruthy();
    expect(requests.some((r) => r.method === "POST")).toBe(false);

    const box = within(comments).getByLabelText<HTMLTextAreaElement>("Add a comment");
    fireEvent.change(box, { target: { value: "Got it" } });
    fireEvent.click(within(comments).getByRole("button", { name: "Comment" }));
    expect(await within(comments).findByText(/Could not add the comment: Database is busy/)).toBeTruthy();
    expect(box.value).toBe("Got it");
    fireEvent.click(within(comments).getByRole("button", { name: "Comment" }));
    await waitFor(() => expect(box.value).toBe(""));
    const items = within(comments).getAllByRole("listitem");
    expect(items.map((li) => li.querySelector(".comment-body")?.textContent)).toEqual(["First", "Got it"]);
    expect(within(items[1] as HTMLElement).getByText("just now")).toBeTruthy();
  });
});

describe("Assigned to me", () => {
  it("is in the sidebar and lists the open tasks assigned to the caller from every list", async () => {
    routes.push((m, url) =>
      m === "GET" && url.pathname === "/api/tasks" && url.searchParams.get("assignee") === "me"
        ? json([task("x", "Fix the fence", { list_id: "l2", assignee_id: "u1" })])
        : undefined,
    );
    routes.push((m, url) => {
      if (m === "GET" && url.pathname === "/api/tasks/x") return json(task("x", "Fix the fence", { list_id: "l2", assignee_id: "u1" }));
      if (m === "GET" && url.pathname === "/api/tasks/x/comments") return json([comment("k1", "u2", "Mind the nails", { task_id: "x" })]);
      return undefined;
    });
    serveTasks([]);
    renderApp();
    const nav = await screen.findByRole("navigation", { name: "Lists" });
    fireEvent.click(within(nav).getByRole("link", { name: "Assigned to me" }));
    expect(await screen.findByRole("heading", { name: "Assigned to me", level: 1 })).toBeTruthy();
    expect(location.pathname).toBe("/assigned");
    expect(within(nav).getByRole("link", { name: "Assigned to me" }).getAttribute("aria-current")).toBe("page");
    const li = (await screen.findByText("Fix the fence")).closest("li") as HTMLElement;
    expect(
      within(li)
        .getByRole("link", { name: /^In list\s*Family$/ })
        .getAttribute("href"),
    ).toBe("/lists/l2");
    expect(requests.map((r) => r.path)).toContain("/api/tasks?assignee=me&status=pending&sort=-created_at&limit=50");
    expect(document.title).toBe("Assigned to me · Doable");
    // Family is a list Ann only views: the task cannot change, but it opens, with its comments.
    expect(within(li).getByRole<HTMLInputElement>("checkbox", { name: "Completed: Fix the fence" }).disabled).toBe(true);
    expect(within(li).queryByRole("button", { name: "Edit: Fix the fence" })).toBeNull();
    fireEvent.click(within(li).getByRole("button", { name: "Open: Fix the fence" }));
    expect(await within(dialog()).findByRole("heading", { name: "Task" })).toBeTruthy();
    expect(await within(dialog()).findByText("Mind the nails")).toBeTruthy();
  });

  it("opens from its own address, and says when nothing is assigned", async () => {
    history.replaceState(null, "", "/assigned");
    routes.push((m, url) => (m === "GET" && url.pathname === "/api/tasks" ? json([]) : undefined));
    renderApp();
    expect(await screen.findByText("Nothing is assigned to you.")).toBeTruthy();
  });
});

describe("a list's activity", () => {
  const entry = (id: string, action: string, extra: Partial<Activity> = {}): Activity => ({
    id,
    list_id: "l1",
    actor_id: "u2",
    action,
    task_id: "a",
    user_id: null,
    data: { title: "Buy milk" },
    created_at: minutesAgo(5),
    ...extra,
  });

  it("is reached from the list page and tells who did what and when, newest first, with more on demand", async () => {
    serveTasks([task("a", "Apples")]);
    routes.push((m, url) => {
      if (m !== "GET" || url.pathname !== "/api/lists/l1/activity") return undefined;
      if (url.searchParams.get("cursor") === "older")
        return json([
          entry("3", "member.joined", {
            actor_id: "u3",
            user_id: "u3",
            task_id: null,
            data: { role: "viewer" },
            created_at: minutesAgo(3 * 24 * 60),
          }),
        ]);
      return json(
        [
          entry("9", "task.completed"),
          entry("8", "task.completed", { actor_id: "u1", created_at: minutesAgo(90) }),
          entry("7", "task.deleted", { actor_id: null, data: { title: "Old" }, created_at: minutesAgo(26 * 60) }),
        ],
        next("older"),
      );
    });
    renderApp();
    await screen.findByText("Apples");
    fireEvent.click(screen.getByRole("link", { name: "Activity" }));
    expect(await screen.findByRole("heading", { name: "Activity in Groceries", level: 1 })).toBeTruthy();
    expect(location.pathname).toBe("/lists/l1/activity");
    await screen.findByText("Bob Stone completed “Buy milk”");
    const lines = () =>
      screen
        .getAllByRole("listitem")
        .filter((li) => li.classList.contains("activity"))
        .map((li) => li.textContent);
    expect(lines()).toEqual([
      "Bob Stone completed “Buy milk” · 5 min ago",
      "You completed “Buy milk” · 1 h ago",
      "Someone deleted “Old” · yesterday",
    ]);
    expect(requests.map((r) => r.path)).toContain("/api/lists/l1/activity?limit=30");
    fireEvent.click(screen.getByRole("button", { name: "Load more activity" }));
    expect(await screen.findByText("Cleo joined the list as a viewer")).toBeTruthy();
    expect(requests.map((r) => r.path)).toContain("/api/lists/l1/activity?limit=30&cursor=older");
    expect(lines().at(-1)).toBe("Cleo joined the list as a viewer · 3 days ago");
    expect(screen.queryByRole("button", { name: "Load more activity" })).toBeNull();
    fireEvent.click(screen.getByRole("link", { name: "Back to Groceries" }));
    expect(await screen.findByRole("heading", { name: "Groceries", level: 1 })).toBeTruthy();
  });

  it("says so when a list is missing (or not shared with the caller)", async () => {
    history.replaceState(null, "", "/lists/nope/activity");
    renderApp();
    expect(await screen.findByText("This list does not exist; it may have been deleted.")).toBeTruthy();
  });
});
