import type { Mix } from "./options.ts";

/*
 * What a load-generator process is asked to do, and what it sends back. Both
 * cross a process boundary (advanced serialization: typed arrays travel as is).
 */

export interface LoadUser {
  jwt: string;
  /** Tasks of this user to get/update/toggle (a sample; creates add to it). */
  taskIds: string[];
}

/** The mixed workload: each request is a random user acting on their own tasks. */
export interface MixedJob {
  kind: "mixed";
  users: LoadUser[];
  mix: Mix;
  listLimit: number;
}

/** One GET, repeated: a query of the big-user scenario. */
export interface QueryJob {
  kind: "query";
  name: string;
  path: string;
  jwt: string;
}

/**
 * Moves within one list (the lists scenario): each request moves a random
 * task of `taskIds` just before or just after another random one of them.
 */
export interface MoveJob {
  kind: "move";
  name: string;
  jwt: string;
  taskIds: string[];
}

/** The shared-list scenario's request kinds, in the order the report shows them. */
export const sharedListOps = ["first page", "view=today", "all lists", "create", "update", "complete"] as const;
export type SharedListOp = (typeof sharedListOps)[number];

/**
 * The shared-list scenario's weights: 80 % reads (the list's first page by
 * position, Today, the cross-list first page), 20 % writes in the list.
 */
export const sharedListMix: Record<SharedListOp, number> = {
  "first page": 50,
  "view=today": 15,
  "all lists": 15,
  create: 8,
  update: 7,
  complete: 5,
};

/**
 * One side of the shared-list scenario: each request is a random user of
 * `users` (the shared list's members, or the private list's owner) reading
 * the list, their Today view or all their lists, or writing in the list
 * (create at its end; PATCH or complete one of `taskIds`, which creates add to).
 * Requests are named "<side>: <kind>".
 */
export interface SharedListJob {
  kind: "shared-list";
  side: "shared" | "private";
  jwts: string[];
  listId: string;
  taskIds: string[];
  listLimit: number;
}

/** Clients signing in continuously (round-robin over the accounts). */
export interface SigninJob {
  kind: "signin";
  emails: string[];
  password: string;
}

export type Job = MixedJob | QueryJob | MoveJob | SigninJob | SharedListJob;

export interface GeneratorTask {
  origin: string;
  connections: number;
  job: Job;
  /** Epoch milliseconds at which every generator begins (warm-up first). */
  startAt: number;
  warmupMs: number;
  durationMs: number;
  seed: number;
}

export interface OpSamples {
  /** Milliseconds, one per request completed inside the measured window. */
  latencies: Float64Array;
  /** Responses by HTTP status. */
  statuses: Record<string, number>;
  /** Requests that got no response, by error code. */
  errors: Record<string, number>;
}

export interface GeneratorResult {
  ops: Record<string, OpSamples>;
  /** CPU seconds this generator process used during the measured window. */
  cpuSeconds: number;
}

export type ToGenerator = { type: "run"; task: GeneratorTask };
export type FromGenerator = { type: "ready" } | { type: "result"; result: GeneratorResult } | { type: "failed"; message: string };
