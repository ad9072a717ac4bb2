import { infiniteQueryOptions, type QueryClient, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import type { Task, TaskCreate, TaskUpdate } from "../api/openapi";
import { allItems, cursorPaging, indexOfItem, insertItem, type Pages, page, removeItem, replaceItem } from "../api/pages";
import { ApiError } from "../api/problem";
import type { TaskListQuery } from "./filters";
import { applyPatch } from "./optimistic";

/** Whose tasks: the caller's own, or (for an admin, read-only) another user's. */
export type TaskScope = { kind: "mine" } | { kind: "user"; userId: string };

const MINE: TaskScope = { kind: "mine" };

export const taskKeys = {
  lists: (scope: TaskScope) =>
    scope.kind === "mine" ? (["tasks", "mine", "list"] as const) : (["tasks", "user", scope.userId, "list"] as const),
  list: (scope: TaskScope, query: TaskListQuery) => [...taskKeys.lists(scope), query] as const,
  detail: (id: string) => ["tasks", "mine", "detail", id] as const,
};

/** A list of tasks, page by page. */
export function taskListQuery(scope: TaskScope, query: TaskListQuery) {
  return infiniteQueryOptions({
    queryKey: taskKeys.list(scope, query),
    queryFn: ({ pageParam, signal }) => {
      const q = pageParam ? { ...query, cursor: pageParam } : query;
      return scope.kind === "mine"
        ? page(api.client.GET("/api/tasks", { params: { query: q }, signal }))
        : page(api.client.GET("/api/admin/users/{id}/tasks", { params: { path: { id: scope.userId }, query: q }, signal }));
    },
    ...cursorPaging,
    select: allItems<Task>,
  });
}

export interface TaskVersion {
  task: Task;
  /** Sent as `If-Match` with an edit, so that it cannot overwrite a change made elsewhere. */
  etag: string | null;
}

/** One of the caller's tasks with its ETag. */
export function taskQuery(id: string) {
  return queryOptions({
    queryKey: taskKeys.detail(id),
    queryFn: async ({ signal }): Promise<TaskVersion> => {
      const { data, response } = await ok(api.client.GET("/api/tasks/{id}", { params: { path: { id } }, signal }));
      return { task: data, etag: response.headers.get("etag") };
    },
  });
}

/** Every write to the caller's tasks, so that the lists are re-read once, after the last of several. */
const WRITE = ["tasks", "write"];

function updateLists(qc: QueryClient, change: (data: Pages<Task>) => Pages<Task>) {
  qc.setQueriesData<Pages<Task>>({ queryKey: taskKeys.lists(MINE) }, (data) => data && change(data));
}

function stored(qc: QueryClient, task: Task, etag: string | null, replacing = task.id) {
  updateLists(qc, (data) => replaceItem(data, task, replacing));
  qc.setQueryData<TaskVersion>(taskKeys.detail(task.id), (old) => old && { task, etag });
}

async function beforeWrite(qc: QueryClient) {
  // A list read that is under way would bring back the state from before this change.
  await qc.cancelQueries({ queryKey: taskKeys.lists(MINE) });
}

function afterWrite(qc: QueryClient) {
  // The server decides the order and the filters; re-read the lists once the last write is answered.
  if (qc.isMutating({ mutationKey: WRITE }) !== 1) return;
  void qc.invalidateQueries({ queryKey: taskKeys.lists(MINE) });
  // The lists' task counts (sidebar, list headers) change with the tasks.
  void qc.invalidateQueries({ queryKey: ["lists"] });
}

const gone = (err: unknown) => err instanceof ApiError && err.status === 404;
const path = (id: string) => ({ params: { path: { id } } });

/** Completes or reopens a task: shown at once, rolled back if the server refuses (removed if it is gone). */
export function useToggleTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: WRITE,
    mutationFn: (task: Task) =>
      ok(api.client.PATCH("/api/tasks/{id}/complete", { ...path(task.id), body: { completed: !task.completed } })),
    onMutate: async (task) => {
      await beforeWrite(qc);
      updateLists(qc, (data) => replaceItem(data, applyPatch(task, { completed: !task.completed })));
    },
    onSuccess: ({ data, response }) => stored(qc, data, response.headers.get("etag")),
    onError: (err, task) => updateLists(qc, (data) => (gone(err) ? removeItem(data, task.id) : replaceItem(data, task))),
    onSettled: () => afterWrite(qc),
  });
}

/** Deletes a task: gone at once, put back where it was if the server refuses. */
export function useDeleteTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: WRITE,
    mutationFn: (task: Task) => ok(api.client.DELETE("/api/tasks/{id}", path(task.id))),
    onMutate: async (task) => {
      await beforeWrite(qc);
      const places = qc.getQueriesData<Pages<Task>>({ queryKey: taskKeys.lists(MINE) }).map(([key, data]) => ({
        key,
        index: data ? indexOfItem(data, task.id) : -1,
      }));
      updateLists(qc, (data) => removeItem(data, task.id));
      qc.removeQueries({ queryKey: taskKeys.detail(task.id) });
      return { places };
    },
    onError: (err, task, context) => {
      if (gone(err)) return;
      for (const { key, index } of context?.places ?? []) {
        if (index !== -1) qc.setQueryData<Pages<Task>>(key, (data) => data && insertItem(data, task, index));
      }
    },
    onSettled: () => afterWrite(qc),
  });
}

export interface CreateTask {
  body: TaskCreate;
  idempotencyKey: string;
  /** Shown in `list` (at its top, or at `index`) until the server answers. */
  placeholder: Task;
  list: readonly unknown[];
  index?: number;
}

/** Creates a task: a placeholder shows at once, replaced by the task the server made (or removed if refused). */
export function useCreateTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: WRITE,
    mutationFn: ({ body, idempotencyKey }: CreateTask) =>
      ok(api.client.POST("/api/tasks", { body, headers: { "idempotency-key": idempotencyKey } })),
    onMutate: async ({ placeholder, list, index }) => {
      await beforeWrite(qc);
      qc.setQueryData<Pages<Task>>(list, (data) => data && insertItem(data, placeholder, index));
    },
    onSuccess: ({ data, response }, { placeholder }) => stored(qc, data, response.headers.get("etag"), placeholder.id),
    onError: (_err, { placeholder }) => updateLists(qc, (data) => removeItem(data, placeholder.id)),
    onSettled: () => afterWrite(qc),
  });
}

export interface SaveTask {
  original: Task;
  patch: TaskUpdate;
  etag: string | null;
}

/** Saves an edit (with `If-Match`): shown at once, rolled back if refused (removed if the task is gone). */
export function useSaveTask() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: WRITE,
    mutationFn: ({ original, patch, etag }: SaveTask) =>
      ok(api.client.PATCH("/api/tasks/{id}", { ...path(original.id), body: patch, headers: etag ? { "if-match": etag } : {} })),
    onMutate: async ({ original, patch }) => {
      await beforeWrite(qc);
      updateLists(qc, (data) => replaceItem(data, applyPatch(original, patch)));
    },
    onSuccess: ({ data, response }) => stored(qc, data, response.headers.get("etag")),
    onError: (err, { original }) => updateLists(qc, (data) => (gone(err) ? removeItem(data, original.id) : replaceItem(data, original))),
    onSettled: () => afterWrite(qc),
  });
}
