import { describe, expect, it } from "vitest";
import { auditQuery, describeDetails, ROLES, userFiltersFromSearch, userFiltersToSearch, usersQuery } from "./query";

describe("admin queries", () => {
  it("round-trips user filters", () => {
    const f = userFiltersFromSearch("?q=ann&role=admin&banned=true");
    expect(f).toEqual({ q: "ann", role: "admin", banned: "true" });
    expect(userFiltersToSearch(f)).toBe("?q=ann&role=admin&banned=true");
    expect(userFiltersFromSearch("?role=root&banned=maybe")).toEqual({ q: "", role: "", banned: "" });
    expect(userFiltersToSearch({ q: " ", role: "", banned: "" })).toBe("");
  });

  it("builds API queries", () => {
    expect(usersQuery({ q: " a b ", role: "user", banned: "false" })).toEqual({ q: "a b", role: "user", banned: false, limit: 50 });
    expect(usersQuery({ q: "", role: "", banned: "true" }, 10)).toEqual({ banned: true, limit: 10 });
    expect(auditQuery("?target_user_id=u1&foo=bar")).toEqual({ target_user_id: "u1", limit: 50 });
    expect(auditQuery("")).toEqual({ limit: 50 });
  });

  it("offers the roles the API documents", () => {
    expect(ROLES).toEqual(["user", "admin"]);
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
