import { describe, expect, it } from "vitest";
import { safeNext } from "./auth/AuthPages";
import { matchRoute } from "./router";

describe("routing", () => {
  it("matches routes", () => {
    expect(matchRoute("/")).toEqual({ name: "tasks" });
    expect(matchRoute("/tasks/")).toEqual({ name: "tasks" });
    expect(matchRoute("/sign-in")).toEqual({ name: "signIn" });
    expect(matchRoute("/admin")).toEqual({ name: "adminDashboard" });
    expect(matchRoute("/admin/users")).toEqual({ name: "adminUsers" });
    expect(matchRoute("/admin/users/abc%2Fd")).toEqual({ name: "adminUser", id: "abc/d" });
    expect(matchRoute("/admin/users/%E0%A4%A")).toEqual({ name: "notFound" });
    expect(matchRoute("/admin/audit")).toEqual({ name: "adminAudit" });
    expect(matchRoute("/nope")).toEqual({ name: "notFound" });
    expect(matchRoute("/lists/l1")).toEqual({ name: "list", id: "l1" });
    expect(matchRoute("/lists/archived")).toEqual({ name: "archivedLists" });
    expect(matchRoute("/invitations")).toEqual({ name: "invitations" });
    expect(matchRoute("/tasks/t1")).toEqual({ name: "task", id: "t1" });
    expect(matchRoute("/today")).toEqual({ name: "today" });
    expect(matchRoute("/upcoming/")).toEqual({ name: "upcoming" });
    expect(matchRoute("/settings")).toEqual({ name: "settings" });
    expect(matchRoute("/assigned")).toEqual({ name: "assigned" });
    expect(matchRoute("/lists/l1/activity")).toEqual({ name: "listActivity", id: "l1" });
  });

  it("only follows same-site next parameters", () => {
    expect(safeNext("?next=%2Fadmin%2Fusers")).toBe("/admin/users");
    expect(safeNext("?next=https%3A%2F%2Fevil.test")).toBe("/");
    expect(safeNext("?next=%2F%2Fevil.test")).toBe("/");
    expect(safeNext("?next=%2Fsign-in")).toBe("/");
    expect(safeNext("")).toBe("/");
  });
});
