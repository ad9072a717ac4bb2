import { useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useRef, useState } from "react";
import type { Task, TaskCreate } from "../api/openapi";
import { ApiError, messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { useAuth } from "../auth/AuthProvider";
import { useTimeZone } from "../auth/timezone";
import { listQuery } from "../lists/queries";
import { ConfirmDialog } from "../ui/Dialog";
import { useNotify } from "../ui/Toasts";
import { createBody, EMPTY_FORM, type FormErrors, patchBody, type TaskForm } from "./form";
import { formErrorsFrom, newIdempotencyKey, placeholderTask } from "./optimistic";
import { taskQuery, useCreateTask, useDeleteTask, useSaveTask, useToggleTask } from "./queries";
import { TaskDialog } from "./TaskDialog";

/** Where a new task goes: the cached list it shows in at once, and what the body adds (list_id, parent_id). */
export interface NewTaskTarget {
  list: readonly unknown[];
  body?: Partial<Record<"list_id" | "parent_id", string>>;
  /** New tasks go to the end of a manually ordered list, to the top of the others. */
  atEnd?: boolean;
  /** Shown in the dialog, e.g. "In Groceries" or "Subtask of “Plan trip”". */
  context?: string;
  /** What the form starts with (e.g. today's date on the Today page). */
  initial?: Partial<TaskForm>;
}

interface DialogState {
  mode: "create" | "edit";
  /** The task as the list showed it when the editor opened. */
  task?: Task;
  target?: NewTaskTarget;
  form?: TaskForm;
  errors?: FormErrors;
  notice?: string;
}

export const quote = (title: string) => `“${title.length > 60 ? `${title.slice(0, 57)}…` : title}”`;

/**
 * Creating, editing, completing and deleting tasks, with their dialogs and messages: shown at
 * once, rolled back with the server's reason when refused; an edit sends the task's ETag and a
 * 412 reloads it.
 */
export function useTaskEditor(): {
  toggle: (task: Task) => Promise<void>;
  askDelete: (task: Task) => void;
  openCreate: (target: NewTaskTarget) => void;
  openEdit: (task: Task) => void;
  dialogs: ReactNode;
} {
  const queryClient = useQueryClient();
  const toggleTask = useToggleTask();
  const deleteTask = useDeleteTask();
  const createTask = useCreateTask();
  const saveTask = useSaveTask();
  const notify = useNotify();
  const auth = useAuth();
  const timeZone = useTimeZone();
  const [dialog, setDialog] = useState<DialogState | null>(null);
  const [confirmDelete, setConfirmDelete] = useState<Task | null>(null);
  const seq = useRef(0);
  const idempotency = useRef<{ key: string; body: string } | null>(null);
  // The editor shows the latest version, and its ETag goes with the save, so a save can't silently overwrite someone else's change.
  const editing = dialog?.mode === "edit" && dialog.task ? dialog.task.id : null;
  const latest = useQuery({ ...taskQuery(editing ?? ""), enabled: editing !== null });
  const current = editing !== null && latest.data?.task.id === editing ? latest.data : null;
  const userId = auth.state.status === "signedIn" ? auth.state.me.id : "";
  // A viewer's task opens read-only (its comments stay open to them).
  const dialogList = dialog?.task?.list_id || dialog?.target?.body?.list_id;
  const list = useQuery({ ...listQuery(dialogList ?? ""), enabled: Boolean(dialogList) });
  const readOnly = dialog?.mode === "edit" && list.data?.role === "viewer";

  function failed(action: string, err: unknown) {
    if (err instanceof AuthLostError) return;
    notify(`${action}: ${messageOf(err)}`, "error");
  }

  const isGone = (err: unknown) => err instanceof ApiError && err.status === 404;
  const goneMessage = (task: Task) => `${quote(task.title)} no longer exists; it was removed from the list.`;

  async function toggle(task: Task) {
    const completed = !task.completed;
    try {
      await toggleTask.mutateAsync(task);
      notify(completed ? `Completed ${quote(task.title)}.` : `Reopened ${quote(task.title)}.`, "success");
    } catch (err) {
      if (isGone(err)) notify(goneMessage(task), "error");
      else failed(`Could not update ${quote(task.title)}`, err);
    }
  }

  async function remove(task: Task) {
    setConfirmDelete(null);
    try {
      await deleteTask.mutateAsync(task);
      notify(`Deleted ${quote(task.title)}.`, "success");
    } catch (err) {
      if (!isGone(err)) failed(`Could not delete ${quote(task.title)}`, err);
    }
  }

  async function create(target: NewTaskTarget, form: TaskForm) {
    const body: TaskCreate = { ...createBody(form, timeZone), ...target.body };
    const bodyKey = JSON.stringify(body);
    if (idempotency.current?.body !== bodyKey) idempotency.current = { key: newIdempotencyKey(), body: bodyKey };
    const placeholder = placeholderTask(body, userId, ++seq.current);
    setDialog(null);
    try {
      const { data } = await createTask.mutateAsync({
        body,
        idempotencyKey: idempotency.current.key,
        placeholder,
        list: target.list,
        ...(target.atEnd ? { index: Number.MAX_SAFE_INTEGER } : {}),
      });
      idempotency.current = null;
      notify(`Created ${quote(data.title)}.`, "success");
    } catch (err) {
      if (err instanceof AuthLostError) return;
      setDialog({ mode: "create", target, form, errors: formErrorsFrom(err) });
    }
  }

  async function save(original: Task, etag: string | null, form: TaskForm) {
    const patch = patchBody(original, form, timeZone);
    setDialog(null);
    if (Object.keys(patch).length === 0) return;
    try {
      const { data } = await saveTask.mutateAsync({ original, patch, etag });
      notify(`Saved ${quote(data.title)}.`, "success");
    } catch (err) {
      if (err instanceof AuthLostError) return;
      if (isGone(err)) return notify(goneMessage(original), "error");
      if (err instanceof ApiError && err.status === 412) {
        try {
          const fresh = await queryClient.fetchQuery({ ...taskQuery(original.id), staleTime: 0 });
          setDialog({
            mode: "edit",
            task: fresh.task,
            notice: "This task was changed elsewhere — the latest version has been loaded. Make your changes again and save.",
          });
        } catch (e2) {
          failed("Could not reload the task", e2);
        }
        return;
      }
      setDialog({ mode: "edit", task: original, form, errors: formErrorsFrom(err) });
    }
  }

  const dialogs = (
    <>
      {dialog ? (
        <TaskDialog
          key={`${dialog.mode}-${dialog.task?.id ?? "new"}-${dialog.notice ?? ""}`}
          mode={dialog.mode}
          task={current?.task ?? dialog.task}
          listId={dialogList}
          readOnly={readOnly}
          context={dialog.target?.context}
          form={dialog.form}
          errors={dialog.errors}
          notice={dialog.notice}
          onClose={() => {
            setDialog(null);
            idempotency.current = null;
          }}
          onSubmit={(form) =>
            dialog.mode === "create"
              ? dialog.target && void create(dialog.target, form)
              : dialog.task && void save(current?.task ?? dialog.task, current?.etag ?? null, form)
          }
        />
      ) : null}
      {confirmDelete ? (
        <ConfirmDialog
          title="Delete task?"
          confirmLabel="Delete"
          danger
          onConfirm={() => void remove(confirmDelete)}
          onCancel={() => setConfirmDelete(null)}
        >
          <p>
            {quote(confirmDelete.title)} will be deleted permanently
            {confirmDelete.subtask_count ? `, with its ${confirmDelete.subtask_count} subtasks` : ""}.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );

  return {
    toggle,
    askDelete: setConfirmDelete,
    openCreate: (target) =>
      setDialog({ mode: "create", target, ...(target.initial ? { form: { ...EMPTY_FORM, ...target.initial } } : {}) }),
    openEdit: (task) => setDialog({ mode: "edit", task }),
    dialogs,
  };
}
