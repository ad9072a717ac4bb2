import { describe, expect, it } from "vitest";
import { adminUsersPath, auditPath, describeDetails, userFiltersFromSearch, userFiltersToSearch } from "./query";

describe("admin queries", () => {
  it("round-trips user filters", () => {
    const f = userFiltersFromSearch("?q=ann&role=admin&banned=true");
    expect(f).toEqual({ q: "ann", role: "admin", banned: "true" });
    expect(userFiltersToSearch(f)).toBe("?q=ann&role=admin&banned=true");
    expect(userFiltersFromSearch("?role=root&banned=maybe")).toEqual({ q: "", role: "", banned: "" });
    expect(userFiltersToSearch({ q: " ", role: "", banned: "" })).toBe("");
  });

  it("builds API paths", () => {
    expect(adminUsersPath({ q: "a b", role: "user", banned: "false" })).toBe("/api/admin/users?q=a+b&role=user&banned=false&limit=50");
    expect(auditPath("?target_user_id=u1&foo=bar")).toBe("/api/admin/audit?target_user_id=u1&limit=50");
    expect(auditPath("")).toBe("/api/admin/audit?limit=50");
  });

  it("describes audit details and hides anything secret-looking", () => {
    expect(describeDetails({ role: "admin", ban_reason: "spam", count: 3 })).toEqual(["role: admin", "ban_reason: spam", "count: 3"]);
    const text = describeDetails({ password: "hunter2", nested: { session_token: "abc", ok: 1 }, passwordHash: "x", jwt: "eyJ" }).join(
      "\n",
    );
    expect(text).not.toMatch(/hunter2|abc|eyJ/);
    expect(text).toContain("[hidden]");
    expect(text).toContain("nested.ok: 1");
    expect(describeDetails({})).toEqual([]);
    expect(describeDetails(null)).toEqual([]);
  });

  it("shows changes as old → new", () => {
    expect(
      describeDetails({ before: { role: "user", banned: false }, changes: { banned: true, ban_reason: "Spam", ban_expires_at: null } }),
    ).toEqual(["banned: false → true", "ban_reason: Spam", "ban_expires_at: null"]);
    expect(describeDetails({ query: { sort: "-created_at", status: "all" }, returned: 2 })).toEqual([
      "query.sort: -created_at",
      "query.status: all",
      "returned: 2",
    ]);
  });
});
