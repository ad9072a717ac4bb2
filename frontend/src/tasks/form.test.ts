import { describe, expect, it } from "vitest";
import type { Task } from "../api/openapi";
import { createBody, EMPTY_FORM, formFromTask, patchBody, validateForm } from "./form";

const task: Task = {
  id: "t1",
  title: "Buy milk",
  description: null,
  completed: false,
  completed_at: null,
  priority: "low",
  due_at: "2025-01-15T14:30:00.000Z",
  tags: ["home", "errands"],
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
};

describe("task form", () => {
  it("fills from a task in local time", () => {
    expect(formFromTask(task)).toEqual({
      title: "Buy milk",
      description: "",
      priority: "low",
      due: "2025-01-15T09:30",
      dueDate: "",
      tags: "home, errands",
      assignee: "",
    });
  });

  it("validates like the API", () => {
    expect(validateForm(EMPTY_FORM)).toEqual({ title: "Enter a title." });
    expect(validateForm({ ...EMPTY_FORM, title: "   " }).title).toBeDefined();
    expect(validateForm({ ...EMPTY_FORM, title: "😀".repeat(255) })).toEqual({});
    expect(validateForm({ ...EMPTY_FORM, title: "x".repeat(256) }).title).toMatch(/255/);
    expect(validateForm({ ...EMPTY_FORM, title: "x", due: "2025-02-30T10:00" }).due_at).toBeDefined();
    expect(validateForm({ ...EMPTY_FORM, title: "x", tags: Array.from({ length: 21 }, (_, i) => `t${i}`).join(",") }).tags).toMatch(/20/);
    expect(validateForm({ ...EMPTY_FORM, title: "x", tags: "y".repeat(41) }).tags).toMatch(/40/);
  });

  it("creates a full body with trimmed title, null description and offset due date", () => {
    expect(
      createBody({
        title: "  Call mom ",
        description: "  ",
        priority: "high",
        due: "2025-07-04T18:05",
        dueDate: "",
        tags: "Family, family",
        assignee: "",
      }),
    ).toEqual({
      title: "Call mom",
      description: null,
      priority: "high",
      due_at: "2025-07-04T18:05:00-04:00",
      tags: ["family"],
    });
  });

  it("patches only what changed", () => {
    expect(patchBody(task, formFromTask(task))).toEqual({});
    expect(patchBody(task, { ...formFromTask(task), title: "Buy oat milk", tags: "home" })).toEqual({
      title: "Buy oat milk",
      tags: ["home"],
    });
    expect(patchBody(task, { ...formFromTask(task), due: "" })).toEqual({ due_at: null });
    expect(patchBody(task, { ...formFromTask(task), due: "2025-01-16T09:30", description: "Skimmed" })).toEqual({
      description: "Skimmed",
      due_at: "2025-01-16T09:30:00-05:00",
    });
  });

  it("does not report sub-minute due times the input cannot show as changes", () => {
    const precise = { ...task, due_at: "2025-01-15T14:30:42.123Z" };
    expect(patchBody(precise, formFromTask(precise))).toEqual({});
  });

  it("reads and writes times in the user's zone, not the browser's", () => {
    expect(formFromTask(task, "Europe/Paris").due).toBe("2025-01-15T15:30");
    expect(createBody({ ...EMPTY_FORM, title: "x", due: "2025-01-15T15:30" }, "Europe/Paris").due_at).toBe("2025-01-15T15:30:00+01:00");
  });

  it("sends an all-day date as due_date, and switching clears the time in the same request", () => {
    expect(createBody({ ...EMPTY_FORM, title: "x", dueDate: "2025-03-01" })).toMatchObject({ due_at: null, due_date: "2025-03-01" });
    expect("due_date" in createBody({ ...EMPTY_FORM, title: "x" })).toBe(false);
    const form = { ...formFromTask(task), due: "", dueDate: "2025-03-01" };
    expect(patchBody(task, form)).toEqual({ due_date: "2025-03-01", due_at: null });
    const dated = { ...task, due_at: null, due_date: "2025-03-01" };
    expect(patchBody(dated, { ...formFromTask(dated), dueDate: "" })).toEqual({ due_date: null });
    expect(patchBody(dated, formFromTask(dated))).toEqual({});
    expect(validateForm({ ...EMPTY_FORM, title: "x", dueDate: "2025-02-30" }).due_date).toBeDefined();
  });

  it("sends the assignee when one is chosen, and only a change of it when editing", () => {
    expect("assignee_id" in createBody({ ...EMPTY_FORM, title: "x" })).toBe(false);
    expect(createBody({ ...EMPTY_FORM, title: "x", assignee: "u2" })).toMatchObject({ assignee_id: "u2" });
    const assigned = { ...task, assignee_id: "u2" };
    expect(formFromTask(assigned).assignee).toBe("u2");
    expect(patchBody(assigned, formFromTask(assigned))).toEqual({});
    expect(patchBody(assigned, { ...formFromTask(assigned), assignee: "" })).toEqual({ assignee_id: null });
    expect(patchBody(task, { ...formFromTask(task), assignee: "u3" })).toEqual({ assignee_id: "u3" });
  });
});
