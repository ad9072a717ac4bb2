-- Sharing and collaboration (issue 14, SPEC §8): invitations, comments, the
-- activity of a list, who created and who is assigned a task, and the rules
-- for a deleted account's work in other people's lists. Membership itself is
-- list_members (migration 0005): roles owner | editor | viewer.
CREATE TABLE "activity" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "activity_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"list_id" uuid NOT NULL,
	"actor_id" text,
	"action" text NOT NULL,
	"task_id" uuid,
	"subject_user_id" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "comments" (
	"id" uuid PRIMARY KEY NOT NULL,
	"task_id" uuid NOT NULL,
	"author_id" text,
	"body" text NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "comments_body_length_check" CHECK (char_length("comments"."body") between 1 and 10000)
);
--> statement-breakpoint
CREATE TABLE "invitations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"list_id" uuid NOT NULL,
	"email" text NOT NULL,
	"role" text NOT NULL,
	"invited_by" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp (3) with time zone NOT NULL,
	"responded_at" timestamp (3) with time zone,
	CONSTRAINT "invitations_role_check" CHECK ("invitations"."role" in ('editor', 'viewer')),
	CONSTRAINT "invitations_status_check" CHECK ("invitations"."status" in ('pending', 'accepted', 'declined', 'revoked'))
);
--> statement-breakpoint
ALTER TABLE "lists" ADD COLUMN "shared" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "tasks" ADD COLUMN "assignee_id" text;--> statement-breakpoint
ALTER TABLE "activity" ADD CONSTRAINT "activity_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."lists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_task_id_tasks_id_fk" FOREIGN KEY ("task_id") REFERENCES "public"."tasks"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "comments" ADD CONSTRAINT "comments_author_id_user_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_list_id_lists_id_fk" FOREIGN KEY ("list_id") REFERENCES "public"."lists"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "invitations" ADD CONSTRAINT "invitations_invited_by_user_id_fk" FOREIGN KEY ("invited_by") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "activity_list_idx" ON "activity" USING btree ("list_id","id");--> statement-breakpoint
CREATE INDEX "activity_task_idx" ON "activity" USING btree ("task_id") WHERE "activity"."task_id" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "comments_task_idx" ON "comments" USING btree ("task_id","created_at","id");--> statement-breakpoint
CREATE INDEX "comments_author_idx" ON "comments" USING btree ("author_id");--> statement-breakpoint
CREATE UNIQUE INDEX "invitations_pending_idx" ON "invitations" USING btree ("list_id","email") WHERE "invitations"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "invitations_email_idx" ON "invitations" USING btree ("email","created_at","id") WHERE "invitations"."status" = 'pending';--> statement-breakpoint
CREATE INDEX "invitations_list_idx" ON "invitations" USING btree ("list_id","created_at","id");--> statement-breakpoint
ALTER TABLE "tasks" ADD CONSTRAINT "tasks_assignee_id_user_id_fk" FOREIGN KEY ("assignee_id") REFERENCES "public"."user"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tasks_assignee_idx" ON "tasks" USING btree ("assignee_id","created_at","id") WHERE "tasks"."assignee_id" IS NOT NULL;--> statement-breakpoint
-- Every existing task was created by its owner.
UPDATE "tasks" SET "created_by" = "user_id";--> statement-breakpoint
-- The JSON of a task gains created_by and assignee_id. A task moved to a list its assignee is not a
-- member of loses the assignee (an assignee is always a member of the task's list).
CREATE OR REPLACE FUNCTION "tasks_doc"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND NEW.assignee_id IS NOT NULL AND NEW.list_id IS DISTINCT FROM OLD.list_id
     AND NOT EXISTS (SELECT 1 FROM list_members m WHERE m.list_id = NEW.list_id AND m.user_id = NEW.assignee_id) THEN
    NEW.assignee_id := NULL;
  END IF;
  NEW.doc := (SELECT row_to_json(x)::text FROM (SELECT
    NEW.id AS id, NEW.title AS title, NEW.description AS description, NEW.completed AS completed,
    to_char(NEW.completed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS completed_at,
    (ARRAY['none','low','medium','high'])[NEW.priority + 1] AS priority,
    to_char(NEW.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS due_at,
    to_char(NEW.due_date, 'YYYY-MM-DD') AS due_date,
    NEW.tags AS tags, NEW.user_id AS user_id,
    NEW.list_id AS list_id, NEW.parent_id AS parent_id, NEW.position AS position,
    NEW.subtask_count AS subtask_count, NEW.open_subtask_count AS open_subtask_count,
    NEW.created_by AS created_by, NEW.assignee_id AS assignee_id,
    to_char(NEW.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
    to_char(NEW.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at) x);
  RETURN NEW;
END $$;--> statement-breakpoint
-- Deleting an account (SPEC §8): the lists it owns go with everything in them (the cascades of
-- lists.owner_id and tasks.list_id); its tasks in other people's lists stay, handed to each list's
-- owner with created_by null (their JSON changes, so their version rises); its comments stay with
-- author_id null (the foreign key), and so do its assignments (null). Runs before the row goes, so
-- the cascade of tasks.user_id no longer finds the tasks it handed over.
CREATE FUNCTION "user_handover"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE tasks t SET user_id = l.owner_id, created_by = NULL, version = t.version + 1
    FROM lists l
   WHERE t.user_id = OLD.id AND l.id = t.list_id AND l.owner_id <> OLD.id;
  RETURN OLD;
END $$;--> statement-breakpoint
CREATE TRIGGER "user_handover" BEFORE DELETE ON "user" FOR EACH ROW EXECUTE FUNCTION user_handover();--> statement-breakpoint
-- A list's activity for the tasks in it, from every statement that writes tasks, whoever runs it.
-- The actor is the one the writing statement (or its transaction) names with
-- set_config('doable.actor', <user id>, true); null when nobody did (SQL by hand, migrations).
-- One entry per task and statement: created, completed / reopened, updated (naming the fields),
-- moved (to another parent, or into this list), deleted. A task that leaves a list takes its
-- entries there with it (deleted: SPEC §8, no trace for the old list's members), as it takes its
-- subtasks and comments. Order keys, counters and hand-overs are not activity. Entries are only
-- written for lists that still exist: a list's deletion cascades to its tasks after its own row.
-- Statements run by triggers are not activity of their own: the cascade of a task's deletion to its
-- subtasks (the task's entry says it), a parent's counters, an account's hand-over and the
-- foreign key's un-assigning when an account is deleted.
CREATE FUNCTION "tasks_activity"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  actor text := nullif(current_setting('doable.actor', true), '');
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO activity (list_id, actor_id, action, task_id, data)
      SELECT n.list_id, actor, 'task.created', n.id, jsonb_build_object('title', n.title) FROM new_rows n;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO activity (list_id, actor_id, action, task_id, data)
      SELECT o.list_id, actor, 'task.deleted', o.id, jsonb_build_object('title', o.title) FROM old_rows o
       WHERE EXISTS (SELECT 1 FROM lists l WHERE l.id = o.list_id);
  ELSE
    DELETE FROM activity a USING old_rows o JOIN new_rows n ON n.id = o.id
     WHERE o.list_id <> n.list_id AND a.task_id = o.id AND a.list_id = o.list_id;
    INSERT INTO activity (list_id, actor_id, action, task_id, subject_user_id, data)
      SELECT n.list_id, actor, c.action, n.id,
             CASE WHEN n.assignee_id IS DISTINCT FROM o.assignee_id THEN n.assignee_id END,
             CASE WHEN c.action = 'task.updated' THEN jsonb_build_object('title', n.title, 'fields', c.fields)
                  ELSE jsonb_build_object('title', n.title) END
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (SELECT array_remove(ARRAY[
                 CASE WHEN n.title IS DISTINCT FROM o.title THEN 'title' END,
                 CASE WHEN n.description IS DISTINCT FROM o.description THEN 'description' END,
                 CASE WHEN n.priority IS DISTINCT FROM o.priority THEN 'priority' END,
                 CASE WHEN n.due_at IS DISTINCT FROM o.due_at THEN 'due_at' END,
                 CASE WHEN n.due_date IS DISTINCT FROM o.due_date THEN 'due_date' END,
                 CASE WHEN n.tags IS DISTINCT FROM o.tags THEN 'tags' END,
                 CASE WHEN n.assignee_id IS DISTINCT FROM o.assignee_id THEN 'assignee_id' END], NULL) AS fields) f
        CROSS JOIN LATERAL (SELECT CASE
                 WHEN n.list_id <> o.list_id OR n.parent_id IS DISTINCT FROM o.parent_id THEN 'task.moved'
                 WHEN n.completed AND NOT o.completed THEN 'task.completed'
                 WHEN o.completed AND NOT n.completed THEN 'task.reopened'
                 WHEN cardinality(f.fields) > 0 THEN 'task.updated' END AS action, f.fields) c
       WHERE c.action IS NOT NULL;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_activity_insert" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_activity();--> statement-breakpoint
CREATE TRIGGER "tasks_activity_update" AFTER UPDATE ON "tasks" REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_activity();--> statement-breakpoint
CREATE TRIGGER "tasks_activity_delete" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION tasks_activity();
