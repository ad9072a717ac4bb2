CREATE TABLE "task_list_versions" (
	"user_id" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL
);
--> statement-breakpoint
-- Every statement that writes tasks raises its owners' counters once, in the
-- writing transaction (statement triggers with transition tables: a bulk
-- insert of a million rows costs one upsert per owner, not per row).
CREATE FUNCTION "task_list_versions_bump"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    -- Owners still present: a user's deletion cascades here after their row is gone.
    INSERT INTO task_list_versions (user_id, version)
      SELECT DISTINCT o.user_id, 1 FROM old_rows o WHERE EXISTS (SELECT 1 FROM "user" u WHERE u.id = o.user_id)
      ON CONFLICT (user_id) DO UPDATE SET version = task_list_versions.version + 1;
  ELSE
    INSERT INTO task_list_versions (user_id, version) SELECT DISTINCT user_id, 1 FROM new_rows
      ON CONFLICT (user_id) DO UPDATE SET version = task_list_versions.version + 1;
  END IF;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "tasks_list_version_insert" AFTER INSERT ON "tasks" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_list_versions_bump();--> statement-breakpoint
CREATE TRIGGER "tasks_list_version_update" AFTER UPDATE ON "tasks" REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task_list_versions_bump();--> statement-breakpoint
CREATE TRIGGER "tasks_list_version_delete" AFTER DELETE ON "tasks" REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task_list_versions_bump();--> statement-breakpoint
-- A deleted user's counter goes too.
CREATE FUNCTION "task_list_versions_forget"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM task_list_versions WHERE user_id = OLD.id;
  RETURN NULL;
END $$;--> statement-breakpoint
CREATE TRIGGER "user_task_list_versions_forget" AFTER DELETE ON "user" FOR EACH ROW EXECUTE FUNCTION task_list_versions_forget();
