import { infiniteQueryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import type { Activity, Comment } from "../api/openapi";
import { allItems, cursorPaging, type Pages, page, removeItem, replaceItem } from "../api/pages";
import { taskListQuery } from "../tasks/queries";

export const COMMENTS_PAGE = 20;
export const ACTIVITY_PAGE = 30;

export const collabKeys = {
  activity: (listId: string) => ["lists", "activity", listId] as const,
  comments: (taskId: string) => ["comments", "task", taskId] as const,
};

const path = (id: string) => ({ params: { path: { id } } });

/** A list's activity, newest first, page by page. */
export function activityQuery(listId: string) {
  return infiniteQueryOptions({
    queryKey: collabKeys.activity(listId),
    queryFn: ({ pageParam, signal }) =>
      page(
        api.client.GET("/api/lists/{id}/activity", {
          params: { path: { id: listId }, query: { limit: ACTIVITY_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    ...cursorPaging,
    select: allItems<Activity>,
  });
}

/** A task's comments, oldest first, page by page ("load more" brings the newer ones). */
export function commentsQuery(taskId: string) {
  return infiniteQueryOptions({
    queryKey: collabKeys.comments(taskId),
    queryFn: ({ pageParam, signal }) =>
      page(
        api.client.GET("/api/tasks/{id}/comments", {
          params: { path: { id: taskId }, query: { limit: COMMENTS_PAGE, ...(pageParam ? { cursor: pageParam } : {}) } },
          signal,
        }),
      ),
    ...cursorPaging,
    select: allItems<Comment>,
  });
}

/** The caller's open tasks assigned to them, across every list, newest first. */
export const assignedQuery = () => taskListQuery({ kind: "mine" }, { assignee: "me", status: "pending", sort: "-created_at", limit: 50 });

export function useAddComment(taskId: string) {
  const qc = useQueryClient();
  const key = collabKeys.comments(taskId);
  return useMutation({
    mutationFn: async (body: string) => (await ok(api.client.POST("/api/tasks/{id}/comments", { ...path(taskId), body: { body } }))).data,
    onSuccess: (comment) => {
      // Shown at the end when the end is loaded; otherwise it comes with "load more".
      qc.setQueryData<Pages<Comment>>(key, (data) => {
        if (!data || data.pages.at(-1)?.next) return data;
        const pages = data.pages.map((p, i) => (i === data.pages.length - 1 ? { ...p, items: [...p.items, comment] } : p));
        return { ...data, pages };
      });
    },
    onSettled: (comment) => {
      if (comment) void qc.invalidateQueries({ queryKey: ["lists", "activity"] });
    },
  });
}

export function useEditComment(taskId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: string }) =>
      (await ok(api.client.PATCH("/api/comments/{id}", { ...path(id), body: { body } }))).data,
    onSuccess: (comment) => qc.setQueryData<Pages<Comment>>(collabKeys.comments(taskId), (data) => data && replaceItem(data, comment)),
  });
}

export function useDeleteComment(taskId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      await ok(api.client.DELETE("/api/comments/{id}", path(id)));
    },
    onSuccess: (_d, id) => qc.setQueryData<Pages<Comment>>(collabKeys.comments(taskId), (data) => data && removeItem(data, id)),
  });
}
