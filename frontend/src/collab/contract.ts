// TEMPORARY: the issue-14 routes as the contract describes them, until the backend's schemas land and
// `npm run gen:api` puts them in api/openapi.ts. Then this file goes, and the imports point there.
import type { Client } from "openapi-fetch";
import { api } from "../api/client";
import type { Member, paths, Task } from "../api/openapi";

export type { Member };

export interface Comment {
  id: string;
  task_id: string;
  author_id: string | null;
  body: string;
  created_at: string;
  updated_at: string;
}
export interface Activity {
  id: string;
  list_id: string;
  actor_id: string | null;
  action: string;
  task_id: string | null;
  user_id: string | null;
  data: Record<string, unknown>;
  created_at: string;
}
export type CollabTask = Task & { created_by: string | null; assignee_id: string | null };

type Json<T> = { headers: { [name: string]: unknown }; content: { "application/json": T } };
type NoContent = { headers: { [name: string]: unknown }; content?: never };
type Op<P, R, B = never, Q = never> = {
  parameters: { query?: Q; header?: Record<string, string>; path: P; cookie?: never };
  responses: R;
} & ([B] extends [never] ? { requestBody?: never } : { requestBody: { content: { "application/json": B } } });
type Id = { id: string };
type Page = { limit?: number; cursor?: string };

interface CollabPaths {
  "/api/lists/{id}/activity": { get: Op<Id, { 200: Json<Activity[]> }, never, Page> };
  "/api/tasks/{id}/comments": {
    get: Op<Id, { 200: Json<Comment[]> }, never, Page>;
    post: Op<Id, { 201: Json<Comment> }, { body: string }>;
  };
  "/api/comments/{id}": {
    patch: Op<Id, { 200: Json<Comment> }, { body: string }>;
    delete: Op<Id, { 204: NoContent }>;
  };
}

/** The app's client, typed with the routes above as well. */
export const collabClient = api.client as unknown as Client<paths & CollabPaths>;
