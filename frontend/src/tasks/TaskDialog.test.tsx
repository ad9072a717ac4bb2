import { fireEvent, render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { Task } from "../api/openapi";
import { TaskDialog } from "./TaskDialog";

const task = (title: string, updated_at: string): Task => ({
  id: "t1",
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
  updated_at,
});

const noop = () => {};
const dialog = (t: Task) => <TaskDialog mode="edit" task={t} onSubmit={noop} onClose={noop} />;
const title = () => (screen.getByLabelText("Title") as HTMLInputElement).value;

describe("TaskDialog", () => {
  it("shows a newer version of the task until the user starts typing", () => {
    const { rerender } = render(dialog(task("Old", "2025-01-01T00:00:00.000Z")));
    expect(title()).toBe("Old");

    rerender(dialog(task("Fresher", "2025-01-02T00:00:00.000Z")));
    expect(title()).toBe("Fresher");

    // The same version again (e.g. re-fetched with its ETag) leaves the form alone.
    rerender(dialog(task("Same version, other copy", "2025-01-02T00:00:00.000Z")));
    expect(title()).toBe("Fresher");

    fireEvent.change(screen.getByLabelText("Title"), { target: { value: "Mine" } });
    rerender(dialog(task("Newest", "2025-01-03T00:00:00.000Z")));
    expect(title()).toBe("Mine");
  });
});
