import { QueryClientProvider } from "@tanstack/react-query";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { api } from "../api/client";
import type { IncomingInvitation, Invitation, List, Member, Task } from "../api/openapi";
import { AuthProvider } from "../auth/AuthProvider";
import { createQueryClient } from "../queryClient";
import { fakeJwt, json, problemResponse, seen, sessionResponse } from "../test-utils";
import { ToastProvider } from "../ui/Toasts";

type Route = (method: string, url: URL, body: unknown) => Response | Promise<Response> | undefined;

const me = () => ({
  id: "u1",
  email: "ann@example.com",
  name: "Ann Lee",
  role: "user",
  created_at: "2025-01-01T00:00:00.000Z",
  timezone: "UTC",
});
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
  task_count: 1,
  open_task_count: 1,
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
  subtask_count: 1,
  open_subtask_count: 1,
  created_by: "u1",
  assignee_id: null,
  ...extra,
});
const member = (user_id: string, name: string, role: Member["role"]): Member => ({
  user_id,
  name,
  email: `${name.split(" ")[0]?.toLowerCase()}@example.com`,
  image: null,
  role,
  joined_at: "2025-01-02T00:00:00.000Z",
});
const invitation = (id: string, email: string, role: Invitation["role"]): Invitation => ({
  id,
  list_id: "l1",
  email,
  role,
  status: "pending",
  invited_by: "u1",
  created_at: "2025-01-03T00:00:00.000Z",
  expires_at: "2031-01-17T00:00:00.000Z",
});

let lists: List[] = [];
let members: Member[] = [];
let invitations: Invitation[] = [];
let incoming: IncomingInvitation[] = [];
let routes: Route[] = [];
const requests: { method: string; path: string; body: unknown }[] = [];

beforeEach(() => {
  lists = [list("inbox", "Inbox", { is_inbox: true }), list("l1", "Groceries", { member_count: 3 })];
  members = [member("u1", "Ann Lee", "owner"), member("u2", "Bob Stone", "editor"), member("u3", "Cy", "viewer")];
  invitations = [invitation("i1", "dee@example.com", "viewer")];
  incoming = [];
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
    const p = url.pathname;
    if (p === "/api/me") return json(me());
    if (p === "/api/lists") return json(lists);
    const one = /^\/api\/lists\/([^/]+)$/.exec(p);
    if (one) {
      const found = lists.find((l) => l.id === one[1]);
      return found ? json(found) : problemResponse(404, "Not found.");
    }
    if (p === "/api/lists/l1/members") return json(members);
    if (p === "/api/lists/l1/invitations" && method === "GET") return json(invitations);
    if (p === "/api/invitations") return json(incoming);
    if (p === "/api/tasks" && method === "GET") return json(url.searchParams.get("parent_id") === "none" ? [task("a", "Apples")] : []);
    return problemResponse(404, "Not found.");
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

const writes = () => requests.filter((r) => r.method !== "GET");

async function openShare() {
  renderApp();
  await screen.findByRole("heading", { name: "Groceries", level: 1 });
  fireEvent.click(await screen.findByRole("button", { name: "Share…" }));
  const dialog = await screen.findByRole("dialog", { name: "Share “Groceries”" });
  await within(dialog).findByText("Bob Stone");
  return dialog;
}

describe("the share dialog (owner)", () => {
  it("shows the members with initials and roles, and the list's avatars in the header", async () => {
    renderApp();
    const header = await screen.findByRole("list", { name: "Members" });
    expect(
      within(header)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["ALAnn Lee, owner", "BSBob Stone, editor", "CCy, viewer"]);
    fireEvent.click(screen.getByRole("button", { name: "Share…" }));
    const dialog = await screen.findByRole("dialog", { name: "Share “Groceries”" });
    const rows = await within(dialog).findAllByRole("listitem");
    const ann = rows.find((r) => r.textContent?.includes("Ann Lee")) as HTMLElement;
    expect(ann.textContent).toContain("(you)");
    expect(within(ann).getByText("Owner")).toBeTruthy();
    expect(within(ann).queryByRole("combobox")).toBeNull(); // the owner's own row has no controls
    expect((within(dialog).getByRole("combobox", { name: "Role of Bob Stone" }) as HTMLSelectElement).value).toBe("editor");
    expect((within(dialog).getByRole("combobox", { name: "Role of Cy" }) as HTMLSelectElement).value).toBe("viewer");
    expect(within(dialog).getByText("dee@example.com")).toBeTruthy();
  });

  it("invites by email with a role, says so, and re-reads the pending invitations", async () => {
    routes.push((m, url, body) => {
      if (m === "POST" && url.pathname === "/api/lists/l1/invitations") {
        const b = body as { email: string; role: Invitation["role"] };
        invitations = [invitation("i2", b.email, b.role), ...invitations];
        return json(invitations[0], { status: 202 });
      }
      return undefined;
    });
    const dialog = await openShare();
    fireEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect(await within(dialog).findByText("Enter an email address, like name@example.com.")).toBeTruthy();
    expect(writes()).toEqual([]);
    fireEvent.change(within(dialog).getByLabelText("Email address"), { target: { value: " eve@example.com " } });
    fireEvent.change(within(dialog).getByLabelText("Role"), { target: { value: "viewer" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect((await within(dialog).findByRole("status")).textContent).toMatch(/^Invited eve@example.com as a viewer\./);
    expect(writes()).toEqual([{ method: "POST", path: "/api/lists/l1/invitations", body: { email: "eve@example.com", role: "viewer" } }]);
    expect(await within(dialog).findByText("eve@example.com")).toBeTruthy();
    expect((within(dialog).getByLabelText("Email address") as HTMLInputElement).value).toBe("");
  });

  it("shows the server's refusal of an invitation next to the address", async () => {
    routes.push((m, url) =>
      m === "POST" && url.pathname === "/api/lists/l1/invitations"
        ? problemResponse(422, "Some values are not valid.", { errors: [{ field: "/body/email", message: "must be an email address" }] })
        : undefined,
    );
    const dialog = await openShare();
    fireEvent.change(within(dialog).getByLabelText("Email address"), { target: { value: "x@y" } });
    fireEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect(await within(dialog).findByText("Must be an email address.")).toBeTruthy();
    expect(within(dialog).getByLabelText("Email address").getAttribute("aria-invalid")).toBe("true");
  });

  it("revokes a pending invitation", async () => {
    routes.push((m, url) => {
      if (m === "DELETE" && url.pathname === "/api/lists/l1/invitations/i1") {
        invitations = [];
        return new Response(null, { status: 204 });
      }
      return undefined;
    });
    const dialog = await openShare();
    fireEvent.click(within(dialog).getByRole("button", { name: "Revoke the invitation to dee@example.com" }));
    expect(await within(dialog).findByText("No pending invitations.")).toBeTruthy();
    expect(within(dialog).getByRole("status").textContent).toBe("Revoked the invitation to dee@example.com.");
    expect(writes()).toEqual([{ method: "DELETE", path: "/api/lists/l1/invitations/i1", body: undefined }]);
  });

  it("changes a member's role, and shows a refusal", async () => {
    let refuse = false;
    routes.push((m, url, body) => {
      if (m === "PATCH" && url.pathname === "/api/lists/l1/members/u2") {
        if (refuse) return problemResponse(409, "The list changed meanwhile.");
        members = members.map((x) => (x.user_id === "u2" ? { ...x, role: (body as { role: Member["role"] }).role } : x));
        return json(members[1]);
      }
      return undefined;
    });
    const dialog = await openShare();
    const select = within(dialog).getByRole("combobox", { name: "Role of Bob Stone" }) as HTMLSelectElement;
    fireEvent.change(select, { target: { value: "viewer" } });
    expect((await within(dialog).findByRole("status")).textContent).toBe("Bob Stone is now a viewer.");
    expect(writes()).toEqual([{ method: "PATCH", path: "/api/lists/l1/members/u2", body: { role: "viewer" } }]);
    await waitFor(() => expect(select.value).toBe("viewer"));
    refuse = true;
    fireEvent.change(select, { target: { value: "editor" } });
    expect((await within(dialog).findByRole("alert")).textContent).toBe(
      "Could not change the role of Bob Stone: The list changed meanwhile.",
    );
    await waitFor(() => expect(select.value).toBe("viewer")); // as the server keeps it
  });

  it("removes a member after confirming", async () => {
    routes.push((m, url) => {
      if (m === "DELETE" && url.pathname === "/api/lists/l1/members/u2") {
        members = members.filter((x) => x.user_id !== "u2");
        return new Response(null, { status: 204 });
      }
      return undefined;
    });
    const dialog = await openShare();
    fireEvent.click(within(dialog).getByRole("button", { name: "Remove Bob Stone" }));
    const confirm = await screen.findByRole("dialog", { name: "Remove Bob Stone?" });
    expect(writes()).toEqual([]);
    fireEvent.click(within(confirm).getByRole("button", { name: "Remove" }));
    await waitFor(() => expect(within(dialog).queryByText("Bob Stone")).toBeNull());
    expect(within(dialog).getByRole("status").textContent).toBe("Removed Bob Stone from the list.");
    expect(writes()).toEqual([{ method: "DELETE", path: "/api/lists/l1/members/u2", body: undefined }]);
  });

  it("transfers ownership after confirming; the caller then sees the members only", async () => {
    routes.push((m, url) => {
      if (m === "POST" && url.pathname === "/api/lists/l1/transfer") {
        lists = lists.map((l) => (l.id === "l1" ? { ...l, role: "editor", owner_id: "u2" } : l));
        members = [member("u2", "Bob Stone", "owner"), member("u1", "Ann Lee", "editor"), member("u3", "Cy", "viewer")];
        return json(lists[1]);
      }
      return undefined;
    });
    const dialog = await openShare();
    fireEvent.click(within(dialog).getByRole("button", { name: "Make owner: Bob Stone" }));
    const confirm = await screen.findByRole("dialog", { name: "Transfer ownership?" });
    fireEvent.click(within(confirm).getByRole("button", { name: "Transfer ownership" }));
    expect(await screen.findByRole("dialog", { name: "Members of “Groceries”" })).toBe(dialog);
    expect(writes()).toEqual([{ method: "POST", path: "/api/lists/l1/transfer", body: { user_id: "u2" } }]);
    expect(within(dialog).queryByLabelText("Email address")).toBeNull();
    expect(within(dialog).queryByRole("combobox")).toBeNull();
    await waitFor(() => expect(within(dialog).getAllByRole("listitem")[0]?.textContent).toContain("Bob Stone"));
    fireEvent.click(within(dialog).getByRole("button", { name: "Done" }));
    expect(screen.queryByRole("button", { name: "Rename or recolour" })).toBeNull();
    expect(screen.getByRole("button", { name: "Leave list…" })).toBeTruthy();
  });

  it("is not offered on the Inbox", async () => {
    history.replaceState(null, "", "/lists/inbox");
    renderApp();
    await screen.findByRole("heading", { name: "Inbox", level: 1 });
    await screen.findByText("Apples");
    expect(screen.queryByRole("button", { name: "Share…" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Members" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Leave list…" })).toBeNull();
    expect(screen.getByRole("button", { name: "Rename or recolour" })).toBeTruthy();
    expect(requests.some((r) => r.path.includes("/members"))).toBe(false);
  });
});

describe("a list shared with the caller", () => {
  it("as an editor: members to look at, no owner controls, and Leave list", async () => {
    lists = [list("inbox", "Inbox", { is_inbox: true }), list("l1", "Groceries", { member_count: 3, role: "editor", owner_id: "u9" })];
    members = [member("u9", "Zoe Park", "owner"), member("u1", "Ann Lee", "editor")];
    routes.push((m, url) => {
      if (m === "DELETE" && url.pathname === "/api/lists/l1/members/u1") {
        lists = lists.filter((l) => l.id !== "l1");
        return new Response(null, { status: 204 });
      }
      return undefined;
    });
    renderApp();
    await screen.findByRole("heading", { name: "Groceries", level: 1 });
    expect(screen.getByRole("button", { name: "+ New task" })).toBeTruthy();
    expect(await screen.findByRole("button", { name: "Reorder: Apples" })).toBeTruthy();
    for (const name of ["Share…", "Rename or recolour", "Archive list", "Delete list…"])
      expect(screen.queryByRole("button", { name })).toBeNull();
    fireEvent.click(screen.getByRole("button", { name: "Members" }));
    const dialog = await screen.findByRole("dialog", { name: "Members of “Groceries”" });
    await within(dialog).findByText("Zoe Park");
    expect(within(dialog).queryByRole("combobox")).toBeNull();
    expect(within(dialog).queryByRole("button", { name: /Remove|Make/ })).toBeNull();
    expect(requests.some((r) => r.path.includes("/invitations") && r.path.startsWith("/api/lists"))).toBe(false);
    fireEvent.click(within(dialog).getByRole("button", { name: "Done" }));

    fireEvent.click(screen.getByRole("button", { name: "Leave list…" }));
    const confirm = await screen.findByRole("dialog", { name: "Leave list?" });
    fireEvent.click(within(confirm).getByRole("button", { name: "Leave list" }));
    expect(await screen.findByText("You left “Groceries”.")).toBeTruthy();
    expect(location.pathname).toBe("/");
    expect(writes()).toEqual([{ method: "DELETE", path: "/api/lists/l1/members/u1", body: undefined }]);
    const nav = screen.getByRole("navigation", { name: "Lists" });
    await waitFor(() => expect(within(nav).queryByText("Groceries")).toBeNull());
  });

  it("as a viewer: read-only, with a visible note", async () => {
    lists = [list("inbox", "Inbox", { is_inbox: true }), list("l1", "Groceries", { member_count: 2, role: "viewer", owner_id: "u9" })];
    members = [member("u9", "Zoe Park", "owner"), member("u1", "Ann Lee", "viewer")];
    renderApp();
    await screen.findByRole("heading", { name: "Groceries", level: 1 });
    await screen.findByText("Apples");
    expect(screen.getByText("View only").closest("p")?.textContent).toBe("View only — you can read this list, but not change its tasks.");
    expect(screen.queryByRole("button", { name: "+ New task" })).toBeNull();
    const row = screen.getByText("Apples").closest("li") as HTMLElement;
    expect(within(row).queryByRole("button", { name: "Reorder: Apples" })).toBeNull();
    for (const name of [/^Edit/, /^Delete/, /^Move/, /^Add subtask/]) expect(within(row).queryByRole("button", { name })).toBeNull();
    expect((within(row).getByRole("checkbox", { name: "Completed: Apples" }) as HTMLInputElement).disabled).toBe(true);
    // Subtasks can still be read.
    expect(within(row).getByRole("button", { name: "Show subtasks of Apples" })).toBeTruthy();
    expect(screen.queryByText(/Reorder with the ⠿ handle/)).toBeNull();
    expect(screen.getByRole("button", { name: "Members" })).toBeTruthy();
    expect(screen.getByRole("button", { name: "Leave list…" })).toBeTruthy();
    expect(writes()).toEqual([]);
  });
});

describe("the invitations inbox", () => {
  const waiting = (id: string, listId: string, name: string, role: IncomingInvitation["role"]): IncomingInvitation => ({
    id,
    list_id: listId,
    list_name: name,
    role,
    invited_by: "u9",
    inviter_name: "Zoe Park",
    created_at: "2025-01-03T00:00:00.000Z",
    expires_at: "2031-01-17T00:00:00.000Z",
  });

  it("counts the invitations in the sidebar; accepting opens the list, declining removes it", async () => {
    history.replaceState(null, "", "/");
    incoming = [waiting("i1", "l7", "Trip", "editor"), waiting("i2", "l8", "Chores", "viewer")];
    routes.push((m, url) => {
      if (m === "POST" && url.pathname === "/api/invitations/i2/decline") {
        incoming = incoming.filter((i) => i.id !== "i2");
        return new Response(null, { status: 204 });
      }
      if (m === "POST" && url.pathname === "/api/invitations/i1/accept") {
        incoming = [];
        const joined = list("l7", "Trip", { role: "editor", owner_id: "u9", member_count: 2, position: "a5" });
        lists = [...lists, joined];
        return json(joined);
      }
      return undefined;
    });
    renderApp();
    const nav = await screen.findByRole("navigation", { name: "Lists" });
    const link = await within(nav).findByRole("link", { name: /^Invitations/ });
    await waitFor(() => expect(link.textContent).toBe("Invitations, 2 waiting"));
    fireEvent.click(link);
    expect(await screen.findByRole("heading", { name: "Invitations", level: 1 })).toBeTruthy();
    expect(screen.getByRole("heading", { name: "Trip", level: 2 })).toBeTruthy();
    expect(screen.getByText(/Zoe Park invited you as viewer/)).toBeTruthy();

    fireEvent.click(screen.getByRole("button", { name: "Decline: Chores" }));
    expect(await screen.findByText("Declined the invitation to “Chores”.")).toBeTruthy();
    await waitFor(() => expect(screen.queryByRole("heading", { name: "Chores" })).toBeNull());
    await waitFor(() => expect(link.textContent).toBe("Invitations, 1 waiting"));

    fireEvent.click(screen.getByRole("button", { name: "Accept: Trip" }));
    expect(await screen.findByRole("heading", { name: "Trip", level: 1 })).toBeTruthy();
    expect(location.pathname).toBe("/lists/l7");
    expect(await screen.findByText("You joined “Trip” as an editor.")).toBeTruthy();
    expect(await within(nav).findByRole("link", { name: /^Trip/ })).toBeTruthy();
    await waitFor(() => expect(link.textContent).toBe("Invitations"));
    expect(writes()).toEqual([
      { method: "POST", path: "/api/invitations/i2/decline", body: undefined },
      { method: "POST", path: "/api/invitations/i1/accept", body: undefined },
    ]);
  });

  it("says when nothing is waiting", async () => {
    history.replaceState(null, "", "/invitations");
    renderApp();
    expect(await screen.findByText("No invitations are waiting for you.")).toBeTruthy();
  });
});
