import { sql } from "drizzle-orm";
import { bigint, boolean, check, index, integer, jsonb, pgTable, primaryKey, smallint, text, timestamp, uuid } from "drizzle-orm/pg-core";

/*
 * Better Auth's tables are exactly Better Auth's default schema for Doable's
 * plugins (admin, jwt, bearer): its table names and its camelCase columns, so
 * that another Better Auth instance — a Next.js front end, say — can share
 * this database unchanged (test/better-auth-schema.test.ts compares them with
 * what Better Auth itself generates). Doable adds only defaults, NOT NULLs
 * where Better Auth fills the column anyway, the role check and indexes.
 * Doable's own tables, below them, are snake_case.
 */

const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const user = pgTable(
  "user",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    email: text("email").notNull().unique(),
    emailVerified: boolean("emailVerified").notNull().default(false),
    image: text("image"),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
    role: text("role").notNull().default("user"),
    banned: boolean("banned").notNull().default(false),
    banReason: text("banReason"),
    banExpires: ts("banExpires"),
  },
  (t) => [
    check("user_role_check", sql`${t.role} in ('user', 'admin')`),
    // Admin user list: newest first, keyset on (createdAt, id).
    index("user_createdAt_id_idx").on(t.createdAt, t.id),
    index("user_role_idx").on(t.role),
  ],
);

export const session = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    expiresAt: ts("expiresAt").notNull(),
    token: text("token").notNull().unique(),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
    ipAddress: text("ipAddress"),
    userAgent: text("userAgent"),
    userId: text("userId")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    impersonatedBy: text("impersonatedBy"),
  },
  (t) => [index("session_userId_idx").on(t.userId)],
);

export const account = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    accountId: text("accountId").notNull(),
    providerId: text("providerId").notNull(),
    userId: text("userId")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    accessToken: text("accessToken"),
    refreshToken: text("refreshToken"),
    idToken: text("idToken"),
    accessTokenExpiresAt: ts("accessTokenExpiresAt"),
    refreshTokenExpiresAt: ts("refreshTokenExpiresAt"),
    scope: text("scope"),
    password: text("password"),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
  },
  (t) => [index("account_userId_idx").on(t.userId)],
);

export const verification = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: ts("expiresAt").notNull(),
    createdAt: ts("createdAt").notNull().defaultNow(),
    updatedAt: ts("updatedAt").notNull().defaultNow(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

export const jwks = pgTable("jwks", {
  id: text("id").primaryKey(),
  publicKey: text("publicKey").notNull(),
  privateKey: text("privateKey").notNull(),
  createdAt: ts("createdAt").notNull(),
  expiresAt: ts("expiresAt"),
  alg: text("alg"),
  crv: text("crv"),
});

/*
 * Tasks. `priority` is stored as 0..3 (none..high) so that it sorts by rank;
 * `due_sort` puts undated tasks after dated ones (ascending) with a plain
 * row comparison, which keeps keyset pagination on one index.
 * Trigram and tag indexes are added in a hand-written migration (extensions).
 */
export const tasks = pgTable(
  "tasks",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    title: text("title").notNull(),
    description: text("description"),
    completed: boolean("completed").notNull().default(false),
    completedAt: ts("completed_at"),
    priority: smallint("priority").notNull().default(0),
    dueAt: ts("due_at"),
    dueSort: ts("due_sort").notNull().generatedAlwaysAs(sql`coalesce(due_at, 'infinity'::timestamptz)`),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    version: integer("version").notNull().default(1),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    /** The task as the API's JSON, kept by a BEFORE trigger (migration 0003): reads never build it. */
    doc: text("doc").notNull(),
  },
  (t) => [
    check("tasks_priority_check", sql`${t.priority} between 0 and 3`),
    check("tasks_title_length_check", sql`char_length(${t.title}) between 1 and 255`),
    check("tasks_description_length_check", sql`char_length(${t.description}) <= 10000`),
    check("tasks_tags_count_check", sql`cardinality(${t.tags}) <= 20`),
    index("tasks_user_created_idx").on(t.userId, t.createdAt, t.id),
    index("tasks_user_updated_idx").on(t.userId, t.updatedAt, t.id),
    index("tasks_user_due_idx").on(t.userId, t.dueSort, t.id),
    index("tasks_user_priority_idx").on(t.userId, t.priority, t.id),
    index("tasks_user_title_idx").on(t.userId, sql`lower(${t.title})`, t.id),
    // Admin stats: overdue = open tasks whose due date has passed.
    index("tasks_open_due_idx").on(t.dueAt).where(sql`not ${t.completed}`),
  ],
);

/** Idempotency-Key records for POST /api/tasks, kept 24 hours. */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    userId: text("user_id")
      .notNull()
      .references(() => user.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    taskId: uuid("task_id"),
    responseBody: text("response_body"),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.key] }), index("idempotency_keys_created_at_idx").on(t.createdAt)],
);

/**
 * Tokens of `user_id` issued at or before `revoked_before` are refused. No
 * foreign key: the row must outlive a deleted user.
 */
export const tokenRevocations = pgTable(
  "token_revocations",
  {
    userId: text("user_id").primaryKey(),
    revokedBefore: ts("revoked_before").notNull(),
    reason: text("reason").notNull(),
  },
  (t) => [index("token_revocations_revoked_before_idx").on(t.revokedBefore)],
);

/**
 * A counter per owner, raised by statement triggers on every write to their
 * tasks (migration 0002): the list-page cache (tasks/list-cache.ts) serves a
 * stored page only while the counter it was read with is still current. No
 * foreign key (the triggers also run inside the cascade that deletes a user);
 * a trigger on "user" removes a deleted user's row.
 */
export const taskListVersions = pgTable("task_list_versions", {
  userId: text("user_id").primaryKey(),
  version: bigint("version", { mode: "number" }).notNull(),
});

/** Every admin write and every admin read of another user's data. */
export const auditLog = pgTable(
  "audit_log",
  {
    id: uuid("id").primaryKey(),
    actorId: text("actor_id").notNull(),
    actorEmail: text("actor_email"),
    action: text("action").notNull(),
    targetUserId: text("target_user_id"),
    targetTaskId: uuid("target_task_id"),
    requestId: text("request_id").notNull(),
    details: jsonb("details").notNull().default(sql`'{}'::jsonb`),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [
    index("audit_log_id_idx").on(t.createdAt, t.id),
    index("audit_log_actor_idx").on(t.actorId, t.createdAt, t.id),
    index("audit_log_target_idx").on(t.targetUserId, t.createdAt, t.id),
  ],
);

export const schema = { user, session, account, verification, jwks, tasks, idempotencyKeys, tokenRevocations, taskListVersions, auditLog };
