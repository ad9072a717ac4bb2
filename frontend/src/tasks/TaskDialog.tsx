import { type FormEvent, useEffect, useRef, useState } from "react";
import type { Task } from "../api/openapi";
import { useTimeZone } from "../auth/timezone";
import { Comments } from "../collab/Comments";
import { AssigneeField } from "../collab/TaskPeople";
import { Dialog } from "../ui/Dialog";
import { Field } from "../ui/Field";
import { PRIORITIES, type Priority } from "./filters";
import { EMPTY_FORM, type FormErrors, formFromTask, type TaskForm, validateForm } from "./form";
import { isPending } from "./optimistic";

export interface TaskDialogProps {
  mode: "create" | "edit";
  task?:
    | (Omit<Task, "list_id" | "parent_id" | "position" | "due_date" | "subtask_count" | "open_subtask_count"> & Partial<Task>)
    | undefined;
  /** A viewer's look at a task: its fields cannot change, but its comments can be read and added. */
  readOnly?: boolean | undefined;
  /** The task's list (for its assignee and comments); unknown for a new subtask. */
  listId?: string | undefined;
  /** Shown under the title, e.g. "Subtask of “Plan trip”". */
  context?: string | undefined;
  /** What the user had typed (when the dialog reopens after the server refused it). */
  form?: TaskForm | undefined;
  errors?: FormErrors | undefined;
  notice?: string | undefined;
  onSubmit: (form: TaskForm) => void;
  onClose: () => void;
}

export const PRIORITY_LABELS: Record<Priority, string> = { none: "None", low: "Low", medium: "Medium", high: "High" };

export function TaskDialog({
  mode,
  task,
  readOnly = false,
  listId,
  context,
  form: initialForm,
  errors: serverErrors,
  notice,
  onSubmit,
  onClose,
}: TaskDialogProps) {
  const timeZone = useTimeZone();
  const [form, setForm] = useState<TaskForm>(() => initialForm ?? (task ? formFromTask(task, timeZone) : EMPTY_FORM));
  const [errors, setErrors] = useState<FormErrors>(serverErrors ?? {});
  const dirty = useRef(Boolean(initialForm));

  // A fresher copy of the task arrived (e.g. with its ETag): show it unless the user started typing.
  // Only a new version counts; the same version in a new object must not reset the form.
  const shownVersion = useRef(task?.updated_at);
  useEffect(() => {
    if (!task || task.updated_at === shownVersion.current) return;
    shownVersion.current = task.updated_at;
    if (!dirty.current) setForm(formFromTask(task, timeZone));
  }, [task, timeZone]);

  const set = <K extends keyof TaskForm>(key: K, value: TaskForm[K]) => {
    dirty.current = true;
    setForm((f) => ({ ...f, [key]: value }));
  };

  function submit(e: FormEvent) {
    e.preventDefault();
    if (readOnly) return;
    const found = validateForm(form, timeZone);
    setErrors(found);
    if (Object.keys(found).length) {
      const first = Object.keys(found)[0];
      document.querySelector<HTMLElement>(`[data-field="${first}"]`)?.focus();
      return;
    }
    onSubmit(form);
  }

  return (
    <Dialog title={mode === "create" ? "New task" : readOnly ? "Task" : "Edit task"} onClose={onClose} wide>
      <form onSubmit={submit} noValidate className="task-form">
        {context ? <p className="dialog-context">{context}</p> : null}
        {notice ? (
          <p className="notice" role="status">
            {notice}
          </p>
        ) : null}
        {errors.form ? (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        ) : null}
        <fieldset disabled={readOnly} className="task-fields">
          <Field label="Title" error={errors.title}>
            <input
              data-field="title"
              value={form.title}
              onChange={(e) => set("title", e.target.value)}
              required
              maxLength={255}
              autoComplete="off"
            />
          </Field>
          <Field label="Description (optional)" error={errors.description}>
            <textarea
              data-field="description"
              rows={4}
              value={form.description}
              onChange={(e) => set("description", e.target.value)}
              maxLength={10_000}
            />
          </Field>
          <div className="form-row">
            <Field label="Priority" error={errors.priority}>
              <select data-field="priority" value={form.priority} onChange={(e) => set("priority", e.target.value as Priority)}>
                {PRIORITIES.map((p) => (
                  <option key={p} value={p}>
                    {PRIORITY_LABELS[p]}
                  </option>
                ))}
              </select>
            </Field>
            <Field label="Due (your local time, optional)" hint={`A time, in ${timeZone}.`} error={errors.due_at}>
              <input
                data-field="due_at"
                type="datetime-local"
                value={form.due}
                onChange={(e) => {
                  set("due", e.target.value);
                  if (e.target.value) set("dueDate", "");
                }}
              />
            </Field>
            <Field label="Due day (all day, optional)" hint="A day, the same in every time zone." error={errors.due_date}>
              <input
                data-field="due_date"
                type="date"
                value={form.dueDate}
                onChange={(e) => {
                  set("dueDate", e.target.value);
                  if (e.target.value) set("due", "");
                }}
              />
            </Field>
          </div>
          {form.due || form.dueDate ? (
            <button
              type="button"
              className="link-button"
              onClick={() => {
                set("due", "");
                set("dueDate", "");
              }}
            >
              Remove due date
            </button>
          ) : null}
          <Field label="Tags (optional)" hint="Separate tags with commas, e.g. work, errands" error={errors.tags}>
            <input data-field="tags" value={form.tags} onChange={(e) => set("tags", e.target.value)} autoComplete="off" />
          </Field>
          {listId ? (
            <AssigneeField
              listId={listId}
              value={form.assignee}
              onChange={(v) => set("assignee", v)}
              error={errors.assignee_id}
              createdBy={mode === "edit" && task ? (task.created_by ?? null) : undefined}
            />
          ) : null}
        </fieldset>
        <div className="dialog-actions">
          {readOnly ? (
            <button type="button" onClick={onClose}>
              Done
            </button>
          ) : (
            <>
              <button type="button" onClick={onClose}>
                Cancel
              </button>
              <button type="submit" className="primary">
                {mode === "create" ? "Create task" : "Save changes"}
              </button>
            </>
          )}
        </div>
      </form>
      {mode === "edit" && task && listId && !isPending(task as Task) ? <Comments taskId={task.id} listId={listId} /> : null}
    </Dialog>
  );
}
