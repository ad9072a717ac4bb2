import { type QueryClient, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import type { List, ListUpdate, Task, TaskMove } from "../api/openapi";
import { type Pages, removeItem } from "../api/pages";
import { taskKeys, taskListQuery } from "../tasks/queries";
import { type Anchor, moveInArray, moveInPages } from "./order";

export type Archived = "false" | "true" | "all";

export const listKeys = {
  all: ["lists"] as const,
  lists: (archived: Archived) => ["lists", "index", archived] as const,
  detail: (id: string) => ["lists", "detail", id] as const,
};

/** The caller's lists in their order (one array: the API does not page them). */
export function listsQuery(archived: Archived = "false") {
  return queryOptions({
    queryKey: listKeys.lists(archived),
    queryFn: async ({ signal }) => (await ok(api.client.GET("/api/lists", { params: { query: { archived } }, signal }))).data,
  });
}

export function listQuery(id: string) {
  return queryOptions({
    queryKey: listKeys.detail(id),
    queryFn: async ({ signal }) => (await ok(api.client.GET("/api/lists/{id}", { params: { path: { id } }, signal }))).data,
  });
}

const path = (id: string) => ({ params: { path: { id } } });

/** After any list write (or a task write, which changes the counts): the sidebar and list headers are re-read. */
export function refreshLists(qc: QueryClient) {
  void qc.invalidateQueries({ queryKey: listKeys.all });
}

export function useCreateList() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { name: string; color?: string | null }) => (await ok(api.client.POST("/api/lists", { body }))).data,
    onSettled: () => refreshLists(qc),
  });
}

export type ListPatch = ListUpdate;

export function useUpdateList() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, patch }: { id: string; patch: ListPatch }) =>
      (await ok(api.client.PATCH("/api/lists/{id}", { ...path(id), body: patch }))).data,
    onSettled: () => refreshLists(qc),
  });
}

export function useDeleteList() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      await ok(api.client.DELETE("/api/lists/{id}", path(id)));
    },
    onSuccess: (_d, id) => {
      // The list and its tasks are gone: drop them rather than re-read them (a 404) while the page closes.
      qc.removeQueries({ queryKey: listKeys.detail(id) });
      const ofList = (key: readonly unknown[]) => (key[3] as { list_id?: string } | undefined)?.list_id === id;
      qc.removeQueries({ queryKey: taskKeys.lists({ kind: "mine" }), predicate: (q) => ofList(q.queryKey) });
      void qc.invalidateQueries({ queryKey: taskKeys.lists({ kind: "mine" }) });
    },
    onSettled: () => refreshLists(qc),
  });
}

export interface MoveList {
  id: string;
  /** The index in the sidebar's (unarchived) order it moves to. */
  to: number;
  anchor: Anchor;
}

/** Reorders the caller's lists: shown at once, put back if the server refuses. */
export function useMoveList() {
  const qc = useQueryClient();
  const key = listKeys.lists("false");
  return useMutation({
    mutationFn: async ({ id, anchor }: MoveList) => (await ok(api.client.POST("/api/lists/{id}/move", { ...path(id), body: anchor }))).data,
    onMutate: async ({ id, to }) => {
      await qc.cancelQueries({ queryKey: key });
      const before = qc.getQueryData<List[]>(key);
      if (before) qc.setQueryData<List[]>(key, moveInArray(before, id, to));
      return { before };
    },
    onError: (_err, _v, context) => {
      if (context?.before) qc.setQueryData(key, context.before);
    },
    onSettled: () => refreshLists(qc),
  });
}

export interface MoveTask {
  task: Task;
  /** The cached list (the task's siblings) the move is shown in, and the index it moves to there. */
  siblings?: readonly unknown[];
  to?: number;
  body: TaskMove;
}

/**
 * Moves a task (reorders it, or sends it to another list or parent): shown at once in `siblings`,
 * and every loaded list is put back as it was if the server refuses.
 */
export function useMoveTask() {
  const qc = useQueryClient();
  const lists = taskKeys.lists({ kind: "mine" });
  return useMutation({
    mutationKey: ["tasks", "write"],
    mutationFn: async ({ task, body }: MoveTask) => (await ok(api.client.POST("/api/tasks/{id}/move", { ...path(task.id), body }))).data,
    onMutate: async ({ task, siblings, to, body }) => {
      await qc.cancelQueries({ queryKey: lists });
      const snapshot = qc.getQueriesData<Pages<Task>>({ queryKey: lists });
      if (siblings && to !== undefined) qc.setQueryData<Pages<Task>>(siblings, (data) => data && moveInPages(data, task.id, to));
      if (body.list_id && body.list_id !== task.list_id && siblings) {
        // Leaving this list: it disappears here at once.
        qc.setQueryData<Pages<Task>>(siblings, (data) => data && removeItem(data, task.id));
      }
      return { snapshot };
    },
    onError: (_err, _v, context) => {
      for (const [key, data] of context?.snapshot ?? []) qc.setQueryData(key, data);
    },
    onSettled: () => {
      if (qc.isMutating({ mutationKey: ["tasks", "write"] }) === 1) void qc.invalidateQueries({ queryKey: lists });
      refreshLists(qc);
    },
  });
}

const MINE = { kind: "mine" } as const;
const PAGE = 50;

/** A list's top-level tasks in their manual order. */
export const listTasksQuery = (listId: string) =>
  taskListQuery(MINE, { list_id: listId, parent_id: "none", sort: "position", limit: PAGE });

/** A task's direct subtasks in their manual order (fetched when the parent is expanded). */
export const subtasksQuery = (parentId: string) => taskListQuery(MINE, { parent_id: parentId, sort: "position", limit: PAGE });

export type View = "today" | "upcoming";

/** Today or Upcoming across every list, soonest first. */
export const viewQuery = (view: View) => taskListQuery(MINE, { view, sort: "due_at", status: "all", limit: PAGE });
