import { QueryClientProvider } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { api } from "../api/client";
import type { List, Task } from "../api/openapi";
import { AuthProvider } from "../auth/AuthProvider";
import { createQueryClient } from "../queryClient";
import { navigate } from "../router";
import { fakeJwt, json, problemResponse, seen, sessionResponse } from "../test-utils";
import { ToastProvider } from "../ui/Toasts";

type Route = (method: string, url: URL, body: unknown) => Response | Promise<Response> | undefined;

function held(response: () => Response) {
  let release = () => {};
  const answer = new Promise<Response>((resolve) => {
    release = () => resolve(response());
  });
  return { answer, release: () => release() };
}

let timezone = "Europe/Paris";
const me = () => ({ id: "u1", email: "ann@example.com", name: "Ann", role: "user", created_at: "2025-01-01T00:00:00.000Z", timezone });
const list = (id: string, name: string, extra: Partial<List> = {}): List => ({
  id,
  name,
  color: null,
  position: "a0",
  is_inbox: false,
  archived: false,
  owner_id: "u1",
  role: "owner",
  member_count: 1,
  task_count: 3,
  open_task_count: 3,
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z",
  ...extra,
});
const task = (id: string, title: string, extra: Partial<Task> = {}): Task => ({
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
});

const LISTS = [list("inbox", "Inbox", { is_inbox: true }), list("l1", "Groceries", { color: "#299438" }), list("l2", "Work")];

let routes: Route[] = [];
const requests: { method: string; path: string; body: unknown }[] = [];

beforeEach(() => {
  routes = [];
  timezone = "Europe/Paris";
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
    if (url.pathname === "/api/me") return json(me());
    if (url.pathname === "/api/lists") return json(LISTS);
    if (url.pathname === "/api/lists/l1") return json(LISTS[1]);
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

const titles = () => screen.getAllByText(/.+/, { selector: ".task-tree > .task > .task-main .task-title" }).map((e) => e.textContent);
const isTopLevel = (url: URL) => url.pathname === "/api/tasks" && url.searchParams.get("parent_id") === "none";

describe("a list page", () => {
  it("lists the tasks in their manual order, from the list, top level only", async () => {
    routes.push((m, url) => (m === "GET" && isTopLevel(url) ? json([task("a", "Apples"), task("b", "Bread")]) : undefined));
    renderApp();
    expect(await screen.findByRole("heading", { name: "Groceries", level: 1 })).toBeTruthy();
    await screen.findByText("Apples");
    expect(requests.map((r) => r.path)).toContain("/api/tasks?list_id=l1&parent_id=none&sort=position&limit=50");
    // The sidebar: Inbox, Today, Upcoming, then the lists with their open counts.
    const nav = screen.getByRole("navigation", { name: "Lists" });
    const links = within(nav)
      .getAllByRole("link")
      .map((a) => a.textContent);
    expect(links.slice(0, 3)).toEqual(["Inbox, 3 open", "Today", "Upcoming"]);
    const groceries = within(nav).getByText("Groceries").closest("a");
    expect(groceries?.getAttribute("aria-current")).toBe("page");
    expect(groceries?.textContent).toBe("Groceries, 3 open");
  });

  it("moves a task down at once, sends the neighbour it goes after, and puts it back when the server refuses", async () => {
    const refusal = held(() => problemResponse(409, "The list changed meanwhile."));
    routes.push((m, url) => {
      if (m === "GET" && isTopLevel(url)) return json([task("a", "Apples"), task("b", "Bread"), task("c", "Cheese")]);
      if (m === "POST" && url.pathname === "/api/tasks/a/move") return refusal.answer;
      return undefined;
    });
    renderApp();
    await screen.findByText("Cheese");
    expect(titles()).toEqual(["Apples", "Bread", "Cheese"]);
    fireEvent.click(screen.getByRole("button", { name: "Move down: Apples" }));
    await waitFor(() => expect(titles()).toEqual(["Bread", "Apples", "Cheese"])); // before the server answers
    expect(requests.find((r) => r.method === "POST")).toMatchObject({ path: "/api/tasks/a/move", body: { before: "c" } });
    refusal.release();
    expect(await screen.findByText(/Could not move “Apples”: The list changed meanwhile/)).toBeTruthy();
    await waitFor(() => expect(titles()).toEqual(["Apples", "Bread", "Cheese"]));
  });

  it("moves the last task up with an 'after' anchor, and keeps the server's order once it agrees", async () => {
    let order = [task("a", "Apples"), task("b", "Bread"), task("c", "Cheese")];
    routes.push((m, url) => {
      if (m === "GET" && isTopLevel(url)) return json(order);
      if (m === "POST" && url.pathname === "/api/tasks/c/move") {
        order = [order[0], order[2], order[1]] as Task[];
        return json(order[1]);
      }
      return undefined;
    });
    renderApp();
    await screen.findByText("Cheese");
    fireEvent.click(screen.getByRole("button", { name: "Move up: Cheese" }));
    await waitFor(() => expect(titles()).toEqual(["Apples", "Cheese", "Bread"]));
    expect(requests.find((r) => r.method === "POST")).toMatchObject({ body: { before: "b" } });
    await waitFor(() => expect(requests.filter((r) => r.method === "GET" && r.path.includes("parent_id=none")).length).toBe(2));
    expect(titles()).toEqual(["Apples", "Cheese", "Bread"]);
  });

  it("shows subtask progress, and the subtasks under their parent when expanded", async () => {
    routes.push((m, url) => {
      if (m === "GET" && isTopLevel(url)) return json([task("p", "Plan trip", { subtask_count: 5, open_subtask_count: 3 })]);
      if (m === "GET" && url.searchParams.get("parent_id") === "p") return json([task("s1", "Book train", { parent_id: "p" })]);
      return undefined;
    });
    renderApp();
    expect(await screen.findByText("2 of 5 subtasks done:")).toBeTruthy();
    expect(screen.getByText("2/5")).toBeTruthy();
    expect(screen.queryByText("Book train")).toBeNull();
    const toggle = screen.getByRole("button", { name: "Show subtasks of Plan trip" });
    fireEvent.click(toggle);
    expect(await screen.findByText("Book train")).toBeTruthy();
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(requests.map((r) => r.path)).toContain("/api/tasks?parent_id=p&sort=position&limit=50");
    fireEvent.click(screen.getByRole("button", { name: "Hide subtasks of Plan trip" }));
    await waitFor(() => expect(screen.queryByText("Book train")).toBeNull());
  });

  it("shows times in the user's zone and all-day dates as their day; a new zone moves the times", async () => {
    routes.push((m, url) => {
      if (m === "GET" && isTopLevel(url))
        return json([task("a", "Call", { due_at: "2031-05-01T15:00:00.000Z" }), task("b", "Birthday", { due_date: "2031-05-02" })]);
      if (m === "PATCH" && url.pathname === "/api/me") {
        timezone = "Asia/Tokyo";
        return json(me());
      }
      return undefined;
    });
    renderApp();
    const call = await screen.findByText("Call");
    const li = call.closest("li") as HTMLElement;
    expect(within(li).getByText(/May 1, 2031, 5:00/)).toBeTruthy(); // 15:00 UTC is 17:00 in Paris
    expect(screen.getByText("May 2, 2031")).toBeTruthy();
    act(() => navigate("/settings"));
    fireEvent.change(await screen.findByLabelText("Search time zones"), { target: { value: "tokyo" } });
    fireEvent.change(screen.getByLabelText("Time zone"), { target: { value: "Asia/Tokyo" } });
    fireEvent.click(screen.getByRole("button", { name: "Save time zone" }));
    expect(await screen.findByText("Your time zone is now Asia/Tokyo.")).toBeTruthy();
    expect(requests.find((r) => r.method === "PATCH")).toMatchObject({ path: "/api/me", body: { timezone: "Asia/Tokyo" } });
    act(() => navigate("/lists/l1"));
    const again = (await screen.findByText("Call")).closest("li") as HTMLElement;
    expect(within(again).getByText(/May 2, 2031, 12:00/)).toBeTruthy(); // midnight in Tokyo
    expect(screen.getByText("May 2, 2031")).toBeTruthy(); // the all-day date does not move
  });
});

describe("Today", () => {
  it("lists tasks from every list with the list's name", async () => {
    history.replaceState(null, "", "/today");
    routes.push((m, url) =>
      m === "GET" && url.pathname === "/api/tasks" && url.searchParams.get("view") === "today"
        ? json([task("a", "Pay rent", { list_id: "l2", due_date: "2031-05-01" })])
        : undefined,
    );
    renderApp();
    expect(await screen.findByRole("heading", { name: "Today", level: 1 })).toBeTruthy();
    const li = (await screen.findByText("Pay rent")).closest("li") as HTMLElement;
    expect(
      within(li)
        .getByRole("link", { name: /^In list\s*Work$/ })
        .getAttribute("href"),
    ).toBe("/lists/l2");
  });
});
