import { describe, expect, it } from "vitest";
import type { Task } from "../api/openapi";
import { ApiError } from "../api/problem";
import { applyPatch, formErrorsFrom, isPending, newIdempotencyKey, placeholderTask } from "./optimistic";

const task: Task = {
  id: "t1",
  title: "A",
  description: null,
  completed: false,
  completed_at: null,
  priority: "none",
  due_at: null,
  tags: [],
  user_id: "u",
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
const now = new Date("2025-02-02T10:00:00.000Z");

describe("optimistic helpers", () => {
  it("applies a completion with its timestamp, and clears it when reopened", () => {
    const done = applyPatch(task, { completed: true }, now);
    expect(done).toMatchObject({ completed: true, completed_at: now.toISOString(), updated_at: now.toISOString() });
    expect(applyPatch(done, { completed: false }, now).completed_at).toBeNull();
    expect(task.completed).toBe(false); // not mutated
  });

  it("applies field edits", () => {
    expect(applyPatch(task, { title: "B", tags: ["x"] }, now)).toMatchObject({ title: "B", tags: ["x"], completed_at: null });
  });

  it("makes recognisable placeholders", () => {
    const p = placeholderTask({ title: "New", tags: ["a"] }, "u1", 3, now);
    expect(isPending(p)).toBe(true);
    expect(isPending(task)).toBe(false);
    expect(p).toMatchObject({ title: "New", tags: ["a"], priority: "none", due_at: null, user_id: "u1", completed: false });
  });

  it("routes server field errors to inputs and the rest to the form", () => {
    const err = new ApiError(422, {
      detail: "Invalid task.",
      errors: [
        { field: "body.title", message: "Too long." },
        { field: "due_at", message: "Needs an offset." },
        { field: "colour", message: "Unknown field." },
      ],
    });
    expect(formErrorsFrom(err)).toEqual({ title: "Too long.", due_at: "Needs an offset.", form: "Invalid task. Unknown field." });
    expect(formErrorsFrom(new ApiError(0))).toEqual({ form: expect.stringMatching(/could not reach/i) });
    expect(formErrorsFrom(new Error("boom"))).toEqual({ form: "boom" });
  });

  it("makes distinct idempotency keys", () => {
    expect(newIdempotencyKey()).not.toBe(newIdempotencyKey());
  });
});
