import type { Task, TaskCreate, TaskUpdate } from "../api/openapi";
import { ApiError } from "../api/problem";
import type { FormErrors } from "./form";

export const PENDING_PREFIX = "pending-";

export const isPending = (task: Task) => task.id.startsWith(PENDING_PREFIX);

/** The task as it will look once the server applies `patch` (shown while the request runs). */
export function applyPatch(task: Task, patch: TaskUpdate, now = new Date()): Task {
  const next: Task = { ...task, ...patch, updated_at: now.toISOString() };
  if (patch.completed !== undefined && patch.completed !== task.completed) {
    next.completed_at = patch.completed ? now.toISOString() : null;
  }
  return next;
}

/** A placeholder for a task being created, shown at the top until the server answers. */
export function placeholderTask(body: TaskCreate, userId: string, seq: number, now = new Date()): Task {
  const ts = now.toISOString();
  return {
    id: `${PENDING_PREFIX}${seq}`,
    title: body.title,
    description: body.description ?? null,
    completed: false,
    completed_at: null,
    priority: body.priority ?? "none",
    due_at: body.due_at ?? null,
    due_date: body.due_date ?? null,
    tags: body.tags ?? [],
    user_id: userId,
    // Until the server answers: the list and place it will give the task.
    list_id: body.list_id ?? "",
    parent_id: body.parent_id ?? null,
    position: "",
    subtask_count: 0,
    open_subtask_count: 0,
    created_by: userId,
    assignee_id: body.assignee_id ?? null,
    created_at: ts,
    updated_at: ts,
  };
}

const FORM_FIELDS = ["title", "description", "priority", "due_at", "tags", "assignee_id"] as const;

/** Server validation errors placed next to the matching inputs; the rest go to the form. */
export function formErrorsFrom(err: unknown): FormErrors {
  if (!(err instanceof ApiError)) return { form: err instanceof Error ? err.message : "Something went wrong. Try again." };
  const byField = err.byField();
  const out: FormErrors = {};
  const rest: string[] = [];
  for (const [field, message] of Object.entries(byField)) {
    if ((FORM_FIELDS as readonly string[]).includes(field)) out[field as (typeof FORM_FIELDS)[number]] = message;
    else rest.push(message);
  }
  out.form = rest.length ? `${err.message} ${rest.join(" ")}` : err.message;
  return out;
}

/** A random key for `Idempotency-Key` (works outside secure contexts too). */
export function newIdempotencyKey(): string {
  if (typeof crypto !== "undefined" && typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
