import { QueryClientProvider, timeoutManager } from "@tanstack/react-query";
import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "./App";
import { api } from "./api/client";
import type { Task } from "./api/openapi";
import { AuthProvider } from "./auth/AuthProvider";
import { ACCESS_CHECK_MS } from "./auth/me";
import { createQueryClient } from "./queryClient";
import { navigate } from "./router";
import { fakeJwt, json, problemResponse, seen, sessionResponse } from "./test-utils";
import { ToastProvider } from "./ui/Toasts";

type Route = (method: string, url: URL, body: unknown) => Response | Promise<Response> | undefined;

/** An answer the server gives only once the test lets it: what the page shows meanwhile is the optimistic state. */
function held(response: () => Response) {
  let release = () => {};
  const answer = new Promise<Response>((resolve) => {
    release = () => resolve(response());
  });
  return { answer, release: () => release() };
}

const me = { id: "u1", email: "ann@example.com", name: "Ann", role: "user", created_at: "2025-01-01T00:00:00.000Z" };
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
  due_date: null,
  list_id: "l1",
  parent_id: null,
  position: "a0",
  subtask_count: 0,
  open_subtask_count: 0,
  created_by: "u1",
  assignee_id: null,
  created_at: "2025-01-01T00:00:00.000Z",
  updated_at: "2025-01-01T00:00:00.000Z",
  ...extra,
});

// The query cache's intervals run when a test says so (its timeouts stay real): the clock is injected, not waited for.
const intervals = new Map<number, { callback: () => void; delay: number }>();
let intervalIds = 0;
timeoutManager.setTimeoutProvider({
  setTimeout: (callback, delay) => setTimeout(callback, delay) as unknown as number,
  clearTimeout: (id) => clearTimeout(id),
  setInterval: (callback, delay) => {
    intervals.set(++intervalIds, { callback, delay });
    return intervalIds;
  },
  clearInterval: (id) => intervals.delete(Number(id)),
});
const runIntervals = (delay: number) =>
  act(() => {
    for (const i of [...intervals.values()]) if (i.delay === delay) i.callback();
  });

let routes: Route[] = [];
let signedIn = true;
const requests: string[] = [];
/** Every answer the page got that a browser would log as a failed request. */
const refused: string[] = [];

beforeEach(() => {
  routes = [];
  signedIn = true;
  requests.length = 0;
  refused.length = 0;
  api.tokens.clear();
  history.replaceState(null, "", "/");
  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await answer(input, init);
    if (res.status >= 400) refused.push(`${res.status} ${requests[requests.length - 1]}`);
    return res;
  });
});

async function answer(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const { method, url, path, body } = await seen(input, init);
  requests.push(`${method} ${path}`);
  if (url.pathname === "/api/auth/get-session")
    return sessionResponse(signedIn ? fakeJwt({ sub: "u1", exp: Date.now() / 1000 + 900 }) : null);
  if (url.pathname.startsWith("/api/auth/")) return json({ success: true });
  for (const r of routes) {
    const res = r(method, url, body);
    if (res) return res;
  }
  if (url.pathname === "/api/me") return json(me);
  return problemResponse(404, "not found");
}

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

describe("App", () => {
  it("shows the sign-in form when there is no session, without a refused request", async () => {
    signedIn = false;
    renderApp();
    expect(await screen.findByRole("heading", { name: "Sign in to Doable" })).toBeTruthy();
    // The session probe says "no session" with a 200; a 401 here would be a console error in the browser.
    expect(requests).toEqual(["GET /api/auth/get-session"]);
    expect(refused).toEqual([]);
    // The form shows as soon as the session is known to be missing; the address follows in an effect.
    await waitFor(() => expect(location.pathname).toBe("/sign-in"));
    expect(screen.getByLabelText("Email")).toBeTruthy();
    expect(screen.getByLabelText("Password")).toBeTruthy();
    // Client-side validation, next to the fields.
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
    expect(await screen.findByText(/valid email address/)).toBeTruthy();
  });

  it("lists tasks, and says what to do when there are none", async () => {
    routes.push((m, url) =>
      m === "GET" && url.pathname === "/api/tasks"
        ? json(url.searchParams.get("q") ? [] : [task("t1", "Buy milk", { tags: ["home"] })])
        : undefined,
    );
    renderApp();
    expect(await screen.findByText("Buy milk")).toBeTruthy();
    expect(requests).toContain("GET /api/tasks?status=all&sort=-created_at&limit=50");
    fireEvent.change(screen.getByLabelText("Search"), { target: { value: "zzz" } });
    expect(await screen.findByText("No tasks match these filters.")).toBeTruthy();
    expect(requests).toContain("GET /api/tasks?status=all&q=zzz&sort=-created_at&limit=50");
    expect(location.search).toBe("?q=zzz");
  });

  it("completes a task at once and rolls back with a message when the server refuses", async () => {
    const refusal = held(() => problemResponse(503, "Database is busy, try again."));
    routes.push((m, url) => {
      if (m === "GET" && url.pathname === "/api/tasks") return json([task("t1", "Buy milk")]);
      if (m === "PATCH" && url.pathname === "/api/tasks/t1/complete") return refusal.answer;
      return undefined;
    });
    renderApp();
    const box = await screen.findByRole<HTMLInputElement>("checkbox", { name: "Completed: Buy milk" });
    fireEvent.click(box);
    await waitFor(() => expect(box.checked).toBe(true)); // before the server has answered
    refusal.release();
    const alert = await screen.findByText(/Could not update “Buy milk”: Database is busy/);
    expect(alert).toBeTruthy();
    await waitFor(() => expect(screen.getByRole<HTMLInputElement>("checkbox", { name: "Completed: Buy milk" }).checked).toBe(false));
  });

  it("shows a created task at once, and reopens the form with the server’s field errors when refused", async () => {
    let attempts = 0;
    const stored: Task[] = [];
    routes.push((m, url, body) => {
      if (m === "GET" && url.pathname === "/api/tasks") return json(stored);
      if (m === "POST" && url.pathname === "/api/tasks") {
        attempts++;
        if (attempts === 1)
          return problemResponse(422, "The request body is not valid.", {
            errors: [{ field: "tags", message: "must NOT have more than 40 characters" }],
          });
        stored.unshift(task("t9", (body as { title: string }).title, { tags: ["ok"] }));
        return json(stored[0], { status: 201 });
      }
      return undefined;
    });
    renderApp();
    await screen.findByText(/No tasks yet/);
    fireEvent.click(screen.getByRole("button", { name: "+ New task" }));
    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Plan trip" } });
    fireEvent.change(screen.getByLabelText("Tags (optional)"), { target: { value: "x" } });
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    // Reopened with what was typed and the message next to the field.
    expect(await screen.findByText("Must NOT have more than 40 characters.")).toBeTruthy();
    expect(screen.getByText("The request body is not valid.")).toBeTruthy();
    expect(screen.getByLabelText<HTMLInputElement>("Title").value).toBe("Plan trip");
    expect(screen.getByLabelText("Tags (optional)").getAttribute("aria-invalid")).toBe("true");
    expect(screen.queryByText("Plan trip", { selector: ".task-title" })).toBeNull(); // rolled back
    fireEvent.change(screen.getByLabelText("Tags (optional)"), { target: { value: "ok" } });
    fireEvent.click(screen.getByRole("button", { name: "Create task" }));
    expect(await screen.findByText("Created “Plan trip”.")).toBeTruthy();
    expect(screen.getByText("Plan trip", { selector: ".task-title" })).toBeTruthy();
  });

  it("removes a deleted task at once and puts it back if the server refuses", async () => {
    const refusal = held(() => problemResponse(500, "Internal error."));
    routes.push((m, url) => {
      if (m === "GET" && url.pathname === "/api/tasks") return json([task("t1", "One"), task("t2", "Two"), task("t3", "Three")]);
      if (m === "DELETE") return refusal.answer;
      return undefined;
    });
    renderApp();
    await screen.findByText("Two");
    fireEvent.click(screen.getByRole("button", { name: "Delete: Two" }));
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByText("Two", { selector: ".task-title" })).toBeNull());
    refusal.release();
    expect(await screen.findByText(/Could not delete “Two”: Internal error/)).toBeTruthy();
    const titles = screen.getAllByText(/^(One|Two|Three)$/, { selector: ".task-title" }).map((e) => e.textContent);
    expect(titles).toEqual(["One", "Two", "Three"]);
  });

  it("pages with the Link header and the Load more button", async () => {
    routes.push((_m, url) => {
      if (url.pathname !== "/api/tasks") return undefined;
      if (url.searchParams.get("cursor") === "p2") return json([task("t2", "Second page")]);
      return json([task("t1", "First page")], { headers: { link: `<${url.origin}/api/tasks?limit=50&cursor=p2>; rel="next"` } });
    });
    renderApp();
    await screen.findByText("First page");
    fireEvent.click(screen.getByRole("button", { name: "Load more tasks" }));
    expect(await screen.findByText("Second page")).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Load more tasks" })).toBeNull();
    expect(requests).toContain("GET /api/tasks?status=all&sort=-created_at&limit=50&cursor=p2");
  });

  it("returns to sign-in with a message when access is revoked", async () => {
    routes.push((_m, url) => {
      if (url.pathname === "/api/tasks") {
        signedIn = false; // the session was revoked: the token endpoint now refuses too
        return problemResponse(401, "Token revoked");
      }
      return undefined;
    });
    renderApp();
    expect(await screen.findByText(/access was revoked or your session has ended/i)).toBeTruthy();
    await waitFor(() => expect(location.pathname).toBe("/sign-in"));
    expect(screen.getByRole("heading", { name: "Sign in to Doable" })).toBeTruthy();
  });

  it("titles each page, and moves focus to the page on navigation but not on the first load", async () => {
    routes.push((_m, url) => {
      if (url.pathname === "/api/tasks") return json([]);
      if (url.pathname === "/api/me") return json({ ...me, role: "admin" });
      if (url.pathname.startsWith("/api/admin/users/")) return problemResponse(404, "No such user");
      return undefined;
    });
    const scrollTo = vi.fn();
    vi.stubGlobal("scrollTo", scrollTo);
    renderApp();
    expect(await screen.findByText(/No tasks yet/)).toBeTruthy();
    expect(document.title).toBe("Tasks · Doable");
    const main = document.getElementById("main");
    expect(document.activeElement).not.toBe(main);
    expect(scrollTo).not.toHaveBeenCalled();

    act(() => navigate("/admin/users/a"));
    expect(await screen.findByText(/This user does not exist/)).toBeTruthy();
    expect(document.title).toBe("User · Doable");
    expect(document.activeElement).toBe(main);
    expect(scrollTo).toHaveBeenCalledWith(0, 0);

    // Another page of the same kind is a navigation too.
    screen.getByRole("link", { name: "Back to users" }).focus();
    act(() => navigate("/admin/users/b"));
    await waitFor(() => expect(document.activeElement).toBe(main));
    expect(document.title).toBe("User · Doable");

    // A new query on the same page is not: focus stays where the user is.
    const back = await screen.findByRole("link", { name: "Back to users" });
    back.focus();
    act(() => navigate("/admin/users/b?x=1"));
    expect(document.activeElement).toBe(back);
  });

  it("shows an admin link only to admins, and guards admin pages", async () => {
    routes.push((_m, url) => (url.pathname === "/api/tasks" ? json([]) : undefined));
    history.replaceState(null, "", "/admin");
    renderApp();
    expect(await screen.findByRole("heading", { name: "Administrators only" })).toBeTruthy();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Admin" })).toBeNull();
    await act(async () => {
      screen.getByRole("link", { name: "Go to your tasks" }).click();
    });
    expect(await screen.findByText(/No tasks yet/)).toBeTruthy();
  });

  it("re-reads the role when the tab comes back into view, and every minute while it stays in view", async () => {
    let role = "user";
    routes.push((_m, url) => {
      if (url.pathname === "/api/tasks") return json([]);
      if (url.pathname === "/api/me") return json({ ...me, role });
      return undefined;
    });
    renderApp();
    expect(await screen.findByText(/No tasks yet/)).toBeTruthy();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).queryByRole("link", { name: "Admin" })).toBeNull();

    role = "admin";
    act(() => {
      window.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await within(nav).findByRole("link", { name: "Admin" })).toBeTruthy();

    role = "user";
    runIntervals(ACCESS_CHECK_MS);
    await waitFor(() => expect(within(nav).queryByRole("link", { name: "Admin" })).toBeNull());
    expect(requests.filter((r) => r === "GET /api/me")).toHaveLength(3);
  });

  it("takes the admin screens away as soon as an admin call is refused", async () => {
    let role = "admin";
    routes.push((_m, url) => {
      if (url.pathname === "/api/me") return json({ ...me, role });
      if (url.pathname === "/api/admin/stats") {
        role = "user"; // demoted meanwhile: the admin gate reads the role on every call
        return problemResponse(403, "Administrators only.");
      }
      return undefined;
    });
    history.replaceState(null, "", "/admin");
    renderApp();
    expect(await screen.findByRole("heading", { name: "Administrators only" })).toBeTruthy();
    expect(within(screen.getByRole("navigation", { name: "Main" })).queryByRole("link", { name: "Admin" })).toBeNull();
  });

  it("returns a banned user to sign-in with a message when they come back to the tab", async () => {
    let banned = false;
    routes.push((_m, url) => {
      if (url.pathname === "/api/tasks") return json([task("t1", "Buy milk")]);
      if (url.pathname === "/api/me" && banned) return problemResponse(401, "Token revoked");
      return undefined;
    });
    renderApp();
    expect(await screen.findByText("Buy milk")).toBeTruthy();
    banned = true;
    signedIn = false; // a ban ends the user's sessions
    act(() => {
      window.dispatchEvent(new Event("visibilitychange"));
    });
    expect(await screen.findByText(/access was revoked or your session has ended/i)).toBeTruthy();
    await waitFor(() => expect(location.pathname).toBe("/sign-in"));
    expect(screen.queryByText("Buy milk")).toBeNull();
  });
});
