import type { Task, TaskCreate, TaskUpdate } from "../api/openapi";
import { localInputToRfc3339, rfc3339ToLocalInput } from "./datetime";
import { type Priority, parseTags } from "./filters";

/** What the task form edits, as the inputs hold it. */
export interface TaskForm {
  title: string;
  description: string;
  priority: Priority;
  due: string; // datetime-local value, local time
  tags: string; // comma-separated
}

export type FormErrors = Partial<Record<"title" | "description" | "priority" | "due_at" | "tags" | "form", string>>;

export const EMPTY_FORM: TaskForm = { title: "", description: "", priority: "none", due: "", tags: "" };

export function formFromTask(t: Task): TaskForm {
  return {
    title: t.title,
    description: t.description ?? "",
    priority: t.priority,
    due: rfc3339ToLocalInput(t.due_at),
    tags: t.tags.join(", "),
  };
}

/** Client-side checks mirroring the API's rules, so most mistakes are caught before sending. */
export function validateForm(f: TaskForm): FormErrors {
  const errors: FormErrors = {};
  const title = f.title.trim();
  if (!title) errors.title = "Enter a title.";
  else if ([...title].length > 255) errors.title = "Use at most 255 characters.";
  if ([...f.description].length > 10_000) errors.description = "Use at most 10,000 characters.";
  if (localInputToRfc3339(f.due) === undefined) errors.due_at = "Enter a valid date and time.";
  const tags = parseTags(f.tags);
  if (tags.length > 20) errors.tags = "Use at most 20 tags.";
  else if (tags.some((t) => [...t].length > 40)) errors.tags = "Each tag can have at most 40 characters.";
  return errors;
}

/** The full body for creating a task. */
export function createBody(f: TaskForm): TaskCreate {
  return {
    title: f.title.trim(),
    description: f.description.trim() === "" ? null : f.description,
    priority: f.priority,
    due_at: localInputToRfc3339(f.due) ?? null,
    tags: parseTags(f.tags),
  };
}

/** Only the fields that changed compared with `original` (PATCH bodies are strict). */
export function patchBody(original: Task, f: TaskForm): TaskUpdate {
  const next = createBody(f);
  const patch: TaskUpdate = {};
  if (next.title !== original.title) patch.title = next.title;
  if (next.description !== original.description) patch.description = next.description;
  if (next.priority !== original.priority) patch.priority = next.priority;
  const due = next.due_at ?? null;
  const sameDue = due === null || original.due_at === null ? due === original.due_at : Date.parse(due) === Date.parse(original.due_at);
  // datetime-local has minute precision: don't report seconds the input can't show as a change.
  if (!sameDue && rfc3339ToLocalInput(original.due_at) !== f.due) patch.due_at = due;
  const tags = next.tags ?? [];
  if (tags.length !== original.tags.length || tags.some((t, i) => t !== original.tags[i])) patch.tags = tags;
  return patch;
}
