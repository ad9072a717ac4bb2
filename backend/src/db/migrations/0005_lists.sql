-- Lists, subtasks, manual order, all-day dates and time zones (issue 13,
-- SPEC §7). Better Auth's tables keep their columns: Doable's per-user data
-- lives in tables of its own (user_preferences), and "user" only gains a
-- trigger that gives every new account its Inbox, whoever inserts the row.
--
-- Order keys (tasks.position, list_members.position) are fractional-indexing
-- keys (npm fractional-indexing, base 62 digits "0-9A-Za-z"). They compare
-- correctly only byte-wise, hence COLLATE "C" on both columns.
CREATE TABLE "lists" (
	"id" uuid PRIMARY KEY NOT NULL,
	"owner_id" text NOT NULL REFERENCES "user"("id") ON DELETE cascade,
	"name" text NOT NULL,
	"color" text,
	"is_inbox" boolean DEFAULT false NOT NULL,
	"archived" boolean DEFAULT false NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"tasks_version" bigint DEFAULT 1 NOT NULL,
	"task_count" integer DEFAULT 0 NOT NULL,
	"open_task_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lists_name_length_check" CHECK (char_length("name") between 1 and 100),
	CONSTRAINT "lists_color_check" CHECK ("color" ~ '^#[0-9a-f]{6}$'),
	CONSTRAINT "lists_inbox_not_archived_check" CHECK (NOT ("is_inbox" AND "archived"))
);--> statement-breakpoint
-- One Inbox per owner.
CREATE UNIQUE INDEX "lists_owner_inbox_idx" ON "lists" ("owner_id") WHERE "is_inbox";--> statement-breakpoint
-- Admin: a user's lists; the owner cascade.
CREATE INDEX "lists_owner_idx" ON "lists" ("owner_id", "created_at", "id");--> statement-breakpoint
CREATE TABLE "list_members" (
	"list_id" uuid NOT NULL REFERENCES "lists"("id") ON DELETE cascade,
	"user_id" text NOT NULL REFERENCES "user"("id") ON DELETE cascade,
	"role" text NOT NULL,
	"position" text COLLATE "C" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "list_members_pk" PRIMARY KEY ("list_id", "user_id"),
	CONSTRAINT "list_members_role_check" CHECK ("role" in ('owner', 'editor', 'viewer'))
);--> statement-breakpoint
-- A member's own order of their lists (GET /api/lists walks it). Unique, so that two lists never
-- share a key: a concurrent create or move that computed the same key gets 23505 and retries.
CREATE UNIQUE INDEX "list_members_user_position_idx" ON "list_members" ("user_id", "position");--> statement-breakpoint
CREATE TABLE "user_preferences" (
	"user_id" text PRIMARY KEY NOT NULL REFERENCES "user"("id") ON DELETE cascade,
	"timezone" text DEFAULT 'UTC' NOT NULL
);--> statement-breakpoint
-- The key right after `k` (or the first key when k is null), exactly as fractional-indexing's
-- generateKeyBetween(k, null) computes it for a valid key: the integer part incremented, any
-- fractional part dropped. It lets an append compute its key inside the INSERT (one statement,
-- no round trip for the last sibling); test/tasks-lists.test.ts checks it against the library.
CREATE FUNCTION "fi_key_after"(k text) RETURNS text LANGUAGE plpgsql IMMUTABLE STRICT AS $$
DECLARE
  digits constant text := '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  head text := substr(k, 1, 1);
  n int;
  d int;
  i int;
  ds text;
BEGIN
  IF head BETWEEN 'a' AND 'z' THEN n := ascii(head) - ascii('a') + 1;
  ELSIF head BETWEEN 'A' AND 'Z' THEN n := ascii('Z') - ascii(head) + 1;
  ELSE RAISE EXCEPTION 'invalid order key %', k;
  END IF;
  ds := substr(k, 2, n);
  i := n;
  WHILE i >= 1 LOOP
    d := strpos(digits, substr(ds, i, 1));
    IF d < 62 THEN
      RETURN head || substr(ds, 1, i - 1) || substr(digits, d + 1, 1) || repeat('0', n - i);
    END IF;
    i := i - 1;
  END LOOP;
  -- Every digit was the largest: the next integer has one more (or, below 'a', one fewer) digit.
  IF head = 'Z' THEN RETURN 'a0'; END IF;
  IF head = 'z' THEN RAISE EXCEPTION 'order key % has no integer successor', k; END IF;
  IF head >= 'a' THEN RETURN chr(ascii(head) + 1) || repeat('0', n + 1); END IF;
  RETURN chr(ascii(head) + 1) || repeat('0', n - 1);
END $$;--> statement-breakpoint
-- The key for a new last child of (list, parent), for an INSERT to call. It first locks the list's
-- row (the lock the tasks statement trigger takes anyway, to count), then reads the last sibling:
-- in READ COMMITTED that read is a statement of its own, with a snapshot taken after the lock, so
-- it sees every append committed before. Concurrent appends to one list therefore queue instead of
-- computing the same key and failing on tasks_sibling_position_key: measured before this lock,
-- six writers appending to one Inbox exhausted eight retries. FOR NO KEY UPDATE does not block the
-- foreign-key checks (KEY SHARE) of other inserts. Locks are taken task rows first, then the list,
-- the order of every other write (an UPDATE locks its rows, then its statement trigger the list):
-- the parent, whose counters the new child's row trigger changes, is locked before the list.
CREATE FUNCTION "task_append_position"(p_list uuid, p_parent uuid) RETURNS text LANGUAGE plpgsql VOLATILE AS $$
DECLARE
  last_key text;
BEGIN
  IF p_parent IS NOT NULL THEN
    -- A move holds its lists' tree locks (tasks/move-queries.ts, lockTrees) exclusively until it
    -- commits. A subtask's create waits for it here, then re-reads, in a snapshot taken after the
    -- wait, that the parent is still in p_list and shallow enough: the INSERT's own checks read the
    -- statement's earlier snapshot, and a parent moved meanwhile (to another list, or deeper) would
    -- otherwise get a child in the old list or a fifth level. 40001: the service creates again.
    PERFORM pg_advisory_xact_lock_shared(13, hashtext(p_list::text));
    PERFORM 1 FROM tasks WHERE id = p_parent FOR NO KEY UPDATE;
    IF NOT EXISTS (SELECT 1 FROM tasks WHERE id = p_parent AND list_id = p_list)
       OR (WITH RECURSIVE up (id, parent_id, depth) AS (
             SELECT id, parent_id, 1 FROM tasks WHERE id = p_parent
             UNION ALL
             SELECT t.id, t.parent_id, up.depth + 1 FROM tasks t JOIN up ON t.id = up.parent_id WHERE up.depth <= 4)
           SELECT count(*) FROM up) >= 4 THEN
      RAISE EXCEPTION 'the parent task moved while a subtask was being added' USING ERRCODE = '40001';
    END IF;
  END IF;
  PERFORM 1 FROM lists WHERE id = p_list FOR NO KEY UPDATE;
  IF p_parent IS NULL THEN
    SELECT max(position) INTO last_key FROM tasks WHERE list_id = p_list AND parent_id IS NULL;
  ELSE
    SELECT max(position) INTO last_key FROM tasks WHERE list_id = p_list AND parent_id = p_parent;
  END IF;
  RETURN coalesce(fi_key_after(last_key), 'a0');
END $$;--> statement-breakpoint
-- The n-th key (n from 0) of a sequence in order: 'd' and four base-62 digits, then 'e' and five.
CREATE FUNCTION "fi_integer_key"(n bigint) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
  SELECT CASE WHEN n < 14776336 THEN 'd' ELSE 'e' END || string_agg(
    substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
           ((CASE WHEN n < 14776336 THEN n ELSE n - 14776336 END / (62::bigint ^ p)::bigint) % 62)::int + 1, 1),
    '' ORDER BY p DESC)
  FROM generate_series(0, CASE WHEN n < 14776336 THEN 3 ELSE 4 END) p
$$;--> statement-breakpoint
-- Every account gets its Inbox and its owner membership with the row that makes it.
CREATE FUNCTION "user_inbox"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  inbox uuid := gen_random_uuid();
BEGIN
  INSERT INTO lists (id, owner_id, name, is_inbox) VALUES (inbox, NEW.id, 'Inbox', true);
  INSERT INTO list_members (list_id, user_id, role, position) VALUES (inbox, NEW.id, 'owner', 'a0');
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "user_inbox" AFTER INSERT ON "user" FOR EACH ROW EXECUTE FUNCTION user_inbox();--> statement-breakpoint
-- The Inbox of every existing user.
INSERT INTO lists (id, owner_id, name, is_inbox, created_at, updated_at)
  SELECT gen_random_uuid(), u.id, 'Inbox', true, u."createdAt", u."createdAt" FROM "user" u;--> statement-breakpoint
INSERT INTO list_members (list_id, user_id, role, position, created_at)
  SELECT l.id, l.owner_id, 'owner', 'a0', l.created_at FROM lists l;--> statement-breakpoint
-- due_sort now also places a floating day (due_date) at its end in UTC: 23:59:59.999 of that day.
-- Written on timestamp (without zone) arithmetic, which is immutable, as a generated column needs.
ALTER TABLE "tasks"
  DROP COLUMN "due_sort",
  ADD COLUMN "list_id" uuid,
  ADD COLUMN "parent_id" uuid,
  ADD COLUMN "position" text COLLATE "C",
  ADD COLUMN "due_date" date,
  ADD COLUMN "subtask_count" integer DEFAULT 0 NOT NULL,
  ADD COLUMN "open_subtask_count" integer DEFAULT 0 NOT NULL,
  ADD COLUMN "due_sort" timestamp (3) with time zone GENERATED ALWAYS AS (coalesce(
    "due_at", (("due_date" + 1)::timestamp - interval '1 millisecond') AT TIME ZONE 'UTC', 'infinity'::timestamptz)) STORED NOT NULL;--> statement-breakpoint
-- The JSON of a task gains the new fields; every seed field stays as it was.
CREATE OR REPLACE FUNCTION "tasks_doc"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.doc := (SELECT row_to_json(x)::text FROM (SELECT
    NEW.id AS id, NEW.title AS title, NEW.description AS description, NEW.completed AS completed,
    to_char(NEW.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS completed_at,
    (ARRAY['none','low','medium','high'])[NEW.priority + 1] AS priority,
    to_char(NEW.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due_at,
    to_char(NEW.due_date, 'YYYY-MM-DD') AS due_date,
    NEW.tags AS tags, NEW.user_id AS user_id,
    NEW.list_id AS list_id, NEW.parent_id AS parent_id, NEW.position AS position,
    NEW.subtask_count AS subtask_count, NEW.open_subtask_count AS open_subtask_count,
    to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
    to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at) x);
  RETURN NEW;
END $$;--> statement-breakpoint
-- Every existing task goes to its owner's Inbox, in creation order (oldest first). Neither version
-- nor updated_at moves: the task is the same task.
UPDATE "tasks" t SET "list_id" = o.list_id, "position" = o.position
  FROM (SELECT t2.id, l.id AS list_id,
               fi_integer_key(row_number() OVER (PARTITION BY t2.user_id ORDER BY t2.created_at, t2.id) - 1) AS position
          FROM tasks t2 JOIN lists l ON l.owner_id = t2.user_id AND l.is_inbox) o
  WHERE t.id = o.id;--> statement-breakpoint
ALTER TABLE "tasks"
  ALTER COLUMN "list_id" SET NOT NULL,
  ALTER COLUMN "position" SET NOT NULL,
  ADD CONSTRAINT "tasks_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "lists"("id") ON DELETE cascade,
  ADD CONSTRAINT "tasks_parent_id_tasks_id_fk" FOREIGN KEY ("parent_id") REFERENCES "tasks"("id") ON DELETE cascade,
  ADD CONSTRAINT "tasks_due_one_kind_check" CHECK ("due_at" IS NULL OR "due_date" IS NULL),
  ADD CONSTRAINT "tasks_not_own_parent_check" CHECK ("parent_id" <> "id");--> statement-breakpoint
UPDATE "lists" l SET "task_count" = c.n, "open_task_count" = c.open
  FROM (SELECT list_id, count(*)::int AS n, (count(*) FILTER (WHERE NOT completed))::int AS open FROM tasks GROUP BY list_id) c
  WHERE l.id = c.list_id;--> statement-breakpoint
CREATE INDEX "tasks_user_due_idx" ON "tasks" USING btree ("user_id", "due_sort", "id");--> statement-breakpoint
-- Siblings never share a position (top-level tasks have parent_id null: NULLS NOT DISTINCT). It also
-- serves sort=position for a list's top level or one parent's children.
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_sibling_position_key" UNIQUE NULLS NOT DISTINCT ("list_id", "parent_id", "position");--> statement-breakpoint
-- sort=position over a whole list (all levels); the default order within one list.
CREATE INDEX "tasks_list_position_idx" ON "tasks" ("list_id", "position", "id");--> statement-breakpoint
CREATE INDEX "tasks_list_created_idx" ON "tasks" ("list_id", "created_at", "id");--> statement-breakpoint
-- Subtasks of a task (parent_id=<id> with any list; the delete cascade).
CREATE INDEX "tasks_parent_idx" ON "tasks" ("parent_id", "position", "id") WHERE "parent_id" IS NOT NULL;--> statement-breakpoint
-- Views: open tasks with a floating day (the due_at half is tasks_open_due_idx).
CREATE INDEX "tasks_user_due_date_idx" ON "tasks" ("user_id", "due_date") WHERE "due_date" IS NOT NULL;--> statement-breakpoint
-- Every statement that writes tasks raises, once per affected list, that list's tasks_version (the
-- per-list page-cache validator) and its counters (deltas from the transition tables), and the
-- cross-list counter (task_list_versions) of every member of those lists and of the tasks' owners.
-- The version (ETag) of a list whose counts changed rises too: its JSON changed.
CREATE OR REPLACE FUNCTION "task_list_versions_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    WITH d AS (SELECT list_id, count(*)::int AS n, (count(*) FILTER (WHERE NOT completed))::int AS open
                 FROM new_rows GROUP BY list_id)
    UPDATE lists l SET tasks_version = l.tasks_version + 1, task_count = l.task_count + d.n,
                       open_task_count = l.open_task_count + d.open, version = l.version + 1
      FROM d WHERE l.id = d.list_id;
    INSERT INTO task_list_versions (user_id, version)
      SELECT user_id, 1 FROM (SELECT user_id FROM new_rows UNION
                              SELECT m.user_id FROM list_members m WHERE m.list_id IN (SELECT list_id FROM new_rows)) u
      ON CONFLICT (user_id) DO UPDATE SET version = task_list_versions.version + 1;
  ELSIF TG_OP = 'DELETE' THEN
    WITH d AS (SELECT list_id, count(*)::int AS n, (count(*) FILTER (WHERE NOT completed))::int AS open
                 FROM old_rows GROUP BY list_id)
    UPDATE lists l SET tasks_version = l.tasks_version + 1, task_count = l.task_count - d.n,
                       open_task_count = l.open_task_count - d.open, version = l.version + 1
      FROM d WHERE l.id = d.list_id;
    -- Owners still present: a user's deletion cascades here after their row is gone.
    INSERT INTO task_list_versions (user_id, version)
      SELECT user_id, 1 FROM (SELECT user_id FROM old_rows UNION
                              SELECT m.user_id FROM list_members m WHERE m.list_id IN (SELECT list_id FROM old_rows)) u
      WHERE EXISTS (SELECT 1 FROM "user" x WHERE x.id = u.user_id)
      ON CONFLICT (user_id) DO UPDATE SET version = task_list_versions.version + 1;
  ELSE
    WITH d AS (SELECT list_id, sum(n)::int AS n, sum(open)::int AS open FROM (
                 SELECT list_id, 1 AS n, CASE WHEN completed THEN 0 ELSE 1 END AS open FROM new_rows
                 UNION ALL
                 SELECT list_id, -1, CASE WHEN completed THEN 0 ELSE -1 END FROM old_rows) x GROUP BY list_id)
    UPDATE lists l SET tasks_version = l.tasks_version + 1, task_count = l.task_count + d.n,
                       open_task_count = l.open_task_count + d.open,
                       version = l.version + CASE WHEN d.n <> 0 OR d.open <> 0 THEN 1 ELSE 0 END
      FROM d WHERE l.id = d.list_id;
    INSERT INTO task_list_versions (user_id, version)
      SELECT user_id, 1 FROM (SELECT user_id FROM new_rows UNION SELECT user_id FROM old_rows UNION
                              SELECT m.user_id FROM list_members m
                               WHERE m.list_id IN (SELECT list_id FROM new_rows UNION SELECT list_id FROM old_rows)) u
      ON CONFLICT (user_id) DO UPDATE SET version = task_list_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
DROP TRIGGER "tasks_list_version_update" ON "tasks";--> statement-breakpoint
CREATE TRIGGER "tasks_list_version_update" AFTER UPDATE ON "tasks" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_list_versions_bump();--> statement-breakpoint
-- Joining or leaving a list changes what a member's cross-list pages hold (issue 14 adds members;
-- a list's deletion removes them, possibly before its tasks in the cascade).
CREATE FUNCTION "list_members_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO task_list_versions (user_id, version)
      SELECT DISTINCT o.user_id, 1 FROM old_rows o WHERE EXISTS (SELECT 1 FROM "user" u WHERE u.id = o.user_id)
      ON CONFLICT (user_id) DO UPDATE SET version = task_list_versions.version + 1;
  ELSE
    -- A new list (its owner's row comes with it) holds no tasks yet: nothing to see changed.
    INSERT INTO task_list_versions (user_id, version)
      SELECT DISTINCT n.user_id, 1 FROM new_rows n WHERE EXISTS (SELECT 1 FROM tasks t WHERE t.list_id = n.list_id)
      ON CONFLICT (user_id) DO UPDATE SET version = task_list_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "list_members_insert_bump" AFTER INSERT ON "list_members" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION list_members_bump();--> statement-breakpoint
CREATE TRIGGER "list_members_delete_bump" AFTER DELETE ON "list_members" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION list_members_bump();--> statement-breakpoint
-- A parent's direct-subtask counts, kept by its children: only an insert, a delete or a change of
-- parent_id or completed can change them. The parent's JSON changes, so its version rises too
-- (its updated_at does not: nothing the user set on it changed).
CREATE FUNCTION "tasks_subtask_counts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.parent_id IS NOT NULL THEN
    UPDATE tasks SET subtask_count = subtask_count - 1,
                     open_subtask_count = open_subtask_count - CASE WHEN OLD.completed THEN 0 ELSE 1 END,
                     version = version + 1
      WHERE id = OLD.parent_id;
  END IF;
  IF TG_OP IN ('UPDATE', 'INSERT') AND NEW.parent_id IS NOT NULL THEN
    UPDATE tasks SET subtask_count = subtask_count + 1,
                     open_subtask_count = open_subtask_count + CASE WHEN NEW.completed THEN 0 ELSE 1 END,
                     version = version + 1
      WHERE id = NEW.parent_id;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_subtask_counts_insert" AFTER INSERT ON "tasks" FOR EACH ROW WHEN (NEW.parent_id IS NOT NULL) EXECUTE FUNCTION tasks_subtask_counts();--> statement-breakpoint
CREATE TRIGGER "tasks_subtask_counts_delete" AFTER DELETE ON "tasks" FOR EACH ROW WHEN (OLD.parent_id IS NOT NULL) EXECUTE FUNCTION tasks_subtask_counts();--> statement-breakpoint
CREATE TRIGGER "tasks_subtask_counts_update" AFTER UPDATE OF "parent_id", "completed" ON "tasks" FOR EACH ROW
  WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id OR (NEW.parent_id IS NOT NULL AND OLD.completed IS DISTINCT FROM NEW.completed))
  EXECUTE FUNCTION tasks_subtask_counts();
