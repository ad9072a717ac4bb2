import type { Task, TaskCreate, TaskUpdate } from "../api/openapi";
import { type Priority, parseTags } from "./filters";
import { browserTimeZone, isDay, rfc3339ToZonedInput, zonedInputToRfc3339 } from "./zone";

/** What the task form edits, as the inputs hold it. */
export interface TaskForm {
  title: string;
  description: string;
  priority: Priority;
  due: string; // datetime-local value, in the user's time zone
  dueDate: string; // date value (an all-day date), "" when none
  tags: string; // comma-separated
  assignee: string; // a member's user id, "" when unassigned
}

export type FormErrors = Partial<
  Record<"title" | "description" | "priority" | "due_at" | "due_date" | "tags" | "assignee_id" | "form", string>
>;

export const EMPTY_FORM: TaskForm = { title: "", description: "", priority: "none", due: "", dueDate: "", tags: "", assignee: "" };

type FormTask = Pick<Task, "title" | "description" | "priority" | "due_at" | "tags"> & {
  due_date?: string | null;
  assignee_id?: string | null;
};

export function formFromTask(t: FormTask, timeZone = browserTimeZone()): TaskForm {
  return {
    title: t.title,
    description: t.description ?? "",
    priority: t.priority,
    due: rfc3339ToZonedInput(t.due_at, timeZone),
    dueDate: t.due_date ?? "",
    tags: t.tags.join(", "),
    assignee: t.assignee_id ?? "",
  };
}

/** Client-side checks mirroring the API's rules, so most mistakes are caught before sending. */
export function validateForm(f: TaskForm, timeZone = browserTimeZone()): FormErrors {
  const errors: FormErrors = {};
  const title = f.title.trim();
  if (!title) errors.title = "Enter a title.";
  else if ([...title].length > 255) errors.title = "Use at most 255 characters.";
  if ([...f.description].length > 10_000) errors.description = "Use at most 10,000 characters.";
  if (zonedInputToRfc3339(f.due, timeZone) === undefined) errors.due_at = "Enter a valid date and time.";
  if (f.dueDate !== "" && !isDay(f.dueDate)) errors.due_date = "Enter a valid date.";
  const tags = parseTags(f.tags);
  if (tags.length > 20) errors.tags = "Use at most 20 tags.";
  else if (tags.some((t) => [...t].length > 40)) errors.tags = "Each tag can have at most 40 characters.";
  return errors;
}

/** The due fields of the form: a time, or an all-day date (the form keeps only one). */
function dueOf(f: TaskForm, timeZone: string): { due_at: string | null; due_date: string | null } {
  const due_at = zonedInputToRfc3339(f.due, timeZone) ?? null;
  return { due_at, due_date: due_at === null && f.dueDate !== "" ? f.dueDate : null };
}

/** The full body for creating a task (a due_date and an assignee only when there is one: the seed's body has none). */
export function createBody(f: TaskForm, timeZone = browserTimeZone()): TaskCreate {
  const { due_at, due_date } = dueOf(f, timeZone);
  const body: TaskCreate & { due_date?: string } = {
    title: f.title.trim(),
    description: f.description.trim() === "" ? null : f.description,
    priority: f.priority,
    due_at,
    tags: parseTags(f.tags),
  };
  if (due_date !== null) body.due_date = due_date;
  if (f.assignee) body.assignee_id = f.assignee;
  return body;
}

/** Only the fields that changed compared with `original` (PATCH bodies are strict). */
export function patchBody(original: FormTask, f: TaskForm, timeZone = browserTimeZone()): TaskUpdate {
  const next = createBody(f, timeZone);
  const patch: TaskUpdate & { due_date?: string | null } = {};
  if (next.title !== original.title) patch.title = next.title;
  if (next.description !== original.description) patch.description = next.description;
  if (next.priority !== original.priority) patch.priority = next.priority;
  const due = next.due_at ?? null;
  const sameDue = due === null || original.due_at === null ? due === original.due_at : Date.parse(due) === Date.parse(original.due_at);
  // datetime-local has minute precision: don't report seconds the input can't show as a change.
  if (!sameDue && rfc3339ToZonedInput(original.due_at, timeZone) !== f.due) patch.due_at = due;
  const dueDate = dueOf(f, timeZone).due_date;
  if (dueDate !== (original.due_date ?? null)) {
    patch.due_date = dueDate;
    // Switching from a time to a day: the time goes in the same request (never both at once).
    if (dueDate !== null && original.due_at !== null) patch.due_at = null;
  }
  const tags = next.tags ?? [];
  if (tags.length !== original.tags.length || tags.some((t, i) => t !== original.tags[i])) patch.tags = tags;
  if ((f.assignee || null) !== (original.assignee_id ?? null)) patch.assignee_id = f.assignee || null;
  return patch;
}
