import { describe, expect, it } from "vitest";
import type { Activity } from "../api/openapi";
import { describeActivity, timeAgo } from "./describe";
import { inSentence } from "./people";

const NOW = Date.parse("2031-05-10T12:00:00.000Z");
const ago = (ms: number) => new Date(NOW - ms).toISOString();

const entry = (action: string, extra: Partial<Activity> = {}): Activity => ({
  id: "1",
  list_id: "l1",
  actor_id: "u1",
  action,
  task_id: "t1",
  user_id: null,
  data: { title: "Buy milk" },
  created_at: "2031-05-10T11:55:00.000Z",
  ...extra,
});
const NAMES: Record<string, string> = { u1: "Ann", u2: "Bob" };
const nameOf = (id: string | null) => (id ? (NAMES[id] ?? "A former member") : "Someone");

describe("activity in words", () => {
  it("says who did what to which task", () => {
    expect(describeActivity(entry("task.completed"), nameOf)).toBe("Ann completed “Buy milk”");
    expect(describeActivity(entry("task.created"), nameOf)).toBe("Ann added “Buy milk”");
    expect(describeActivity(entry("task.reopened"), nameOf)).toBe("Ann reopened “Buy milk”");
    expect(describeActivity(entry("task.deleted"), nameOf)).toBe("Ann deleted “Buy milk”");
    expect(describeActivity(entry("task.moved"), nameOf)).toBe("Ann moved “Buy milk”");
    expect(describeActivity(entry("comment.created"), nameOf)).toBe("Ann commented on “Buy milk”");
    expect(describeActivity(entry("task.updated", { data: { title: "Buy milk", fields: ["title", "due_at", "due_date"] } }), nameOf)).toBe(
      "Ann changed the title and due date of “Buy milk”",
    );
    expect(
      describeActivity(entry("task.updated", { data: { title: "Buy milk", fields: ["priority", "tags", "assignee_id"] } }), nameOf),
    ).toBe("Ann changed the priority, tags and assignee of “Buy milk”");
    expect(describeActivity(entry("task.updated"), nameOf)).toBe("Ann edited “Buy milk”");
    const assigned = { title: "Buy milk", fields: ["assignee_id"] };
    expect(describeActivity(entry("task.updated", { user_id: "u2", data: assigned }), nameOf)).toBe("Ann assigned “Buy milk” to Bob");
    expect(describeActivity(entry("task.updated", { user_id: null, data: assigned }), nameOf)).toBe("Ann unassigned “Buy milk”");
  });

  it("names a deleted account Someone, and people who left a former member", () => {
    expect(describeActivity(entry("task.completed", { actor_id: null }), nameOf)).toBe("Someone completed “Buy milk”");
    expect(describeActivity(entry("member.removed", { user_id: "gone" }), nameOf)).toBe("Ann removed a former member from the list");
    expect(describeActivity(entry("member.removed", { user_id: null }), nameOf)).toBe("Ann removed someone from the list");
  });

  it("tells membership changes, and never an invited address", () => {
    const member = { task_id: null, data: {} };
    expect(describeActivity(entry("member.joined", { ...member, actor_id: "u2", user_id: "u2", data: { role: "editor" } }), nameOf)).toBe(
      "Bob joined the list as an editor",
    );
    expect(describeActivity(entry("member.left", { ...member, actor_id: "u2", user_id: "u2" }), nameOf)).toBe("Bob left the list");
    expect(
      describeActivity(entry("member.role_changed", { ...member, user_id: "u2", data: { role: "viewer", previous: "editor" } }), nameOf),
    ).toBe("Ann made Bob a viewer");
    expect(describeActivity(entry("list.transferred", { ...member, user_id: "u2" }), nameOf)).toBe("Ann handed the list over to Bob");
    expect(describeActivity(entry("invitation.created", { ...member, data: { role: "viewer" } }), nameOf)).toBe(
      "Ann invited someone as a viewer",
    );
    expect(describeActivity(entry("list.renamed", member), nameOf)).toBe("Ann: list renamed");
  });

  it("puts You in the middle of a sentence in lower case", () => {
    const you = (id: string | null) => (id === "u2" ? "You" : nameOf(id));
    expect(describeActivity(entry("member.role_changed", { user_id: "u2", data: { role: "editor" } }), you)).toBe("Ann made you an editor");
    expect(inSentence("Someone")).toBe("someone");
    expect(inSentence("Ann")).toBe("Ann");
  });
});

describe("time ago", () => {
  it("counts minutes, hours and days, then gives the date in the user's zone", () => {
    expect(timeAgo(ago(20_000), NOW, "UTC")).toBe("just now");
    expect(timeAgo(ago(5 * 60_000), NOW, "UTC")).toBe("5 min ago");
    expect(timeAgo(ago(3 * 3_600_000 + 60_000), NOW, "UTC")).toBe("3 h ago");
    expect(timeAgo(ago(30 * 3_600_000), NOW, "UTC")).toBe("yesterday");
    expect(timeAgo(ago(4 * 86_400_000), NOW, "UTC")).toBe("4 days ago");
    expect(timeAgo("2031-04-01T10:00:00.000Z", NOW, "Asia/Tokyo")).toMatch(/Apr 1, 2031, 7:00/);
  });
});
