-- Search and tag filters, per owner. btree_gin lets one GIN index hold the
-- owner's id beside the trigrams / tags, so a user's search never scans other
-- users' rows. Both extensions ship with PostgreSQL (contrib), Neon and PGlite.
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS btree_gin;--> statement-breakpoint
-- q= matches title or description: tasks.ts searches exactly this expression.
CREATE INDEX "tasks_user_search_idx" ON "tasks" USING gin ("user_id", ("title" || E'\n' || coalesce("description", '')) gin_trgm_ops);--> statement-breakpoint
CREATE INDEX "tasks_user_tags_idx" ON "tasks" USING gin ("user_id", "tags");--> statement-breakpoint
-- Admin user search by email or name.
CREATE INDEX "user_search_idx" ON "user" USING gin (("email" || E'\n' || "name") gin_trgm_ops);
