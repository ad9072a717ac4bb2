// TEMPORARY (issue 13): the contract's shapes until the lists routes land on lists-core and
// `npm run gen:api` generates them. Everything here is replaced by the generated types, then deleted.
import type { Me as SeedMe } from "./openapi";

export type Role = "owner" | "editor" | "viewer";

export interface List {
  id: string;
  name: string;
  color: string | null;
  position: string;
  is_inbox: boolean;
  archived: boolean;
  owner_id: string;
  role: Role;
  member_count: number;
  task_count: number;
  open_task_count: number;
  created_at: string;
  updated_at: string;
}

export type { Task } from "./openapi";

export type Me = SeedMe & { timezone: string };
