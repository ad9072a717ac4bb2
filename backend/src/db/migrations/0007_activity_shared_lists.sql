-- Activity is kept for the lists that are, or once were, shared (lists.shared): a private list has
-- one actor, its owner, and its history would cost every write an entry nobody else reads. Measured
-- with the mixed benchmark on PostgreSQL (docs/PERFORMANCE.md, "Sharing"): the task activity
-- trigger was the largest part of what issue 14 added to a write. A private list's trigger now ends
-- after one look at the lists its statement touched. Each look is a scalar subquery (a primary-key
-- lookup per row): as a join, the planner, with no statistics for a transition table, hashed the
-- whole lists table on every write (measured: embedded mixed load −20 %). Sharing a list starts its activity (the
-- member.joined entry first); comments and membership entries are written as before.
CREATE OR REPLACE FUNCTION "tasks_activity"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  actor text := nullif(current_setting('doable.actor', true), '');
BEGIN
  IF pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  -- Only lists that are or were shared keep activity (migration 0007).
  -- (Each transition table is named only where the operation has it: a statement naming new_rows
  -- cannot even be planned in a DELETE trigger.)
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows n WHERE (SELECT l.shared FROM lists l WHERE l.id = n.list_id)) THEN
      RETURN NULL;
    END IF;
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows o WHERE (SELECT l.shared FROM lists l WHERE l.id = o.list_id)) THEN
      RETURN NULL;
    END IF;
  ELSIF NOT EXISTS (SELECT 1 FROM new_rows n WHERE (SELECT l.shared FROM lists l WHERE l.id = n.list_id))
        AND NOT EXISTS (SELECT 1 FROM old_rows o WHERE (SELECT l.shared FROM lists l WHERE l.id = o.list_id)) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' THEN
    INSERT INTO activity (list_id, actor_id, action, task_id, data)
      SELECT n.list_id, actor, 'task.created', n.id, jsonb_build_object('title', n.title) FROM new_rows n
       WHERE coalesce((SELECT l.shared FROM lists l WHERE l.id = n.list_id), false);
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO activity (list_id, actor_id, action, task_id, data)
      SELECT o.list_id, actor, 'task.deleted', o.id, jsonb_build_object('title', o.title) FROM old_rows o
       WHERE coalesce((SELECT l.shared FROM lists l WHERE l.id = o.list_id), false);
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
       WHERE c.action IS NOT NULL AND coalesce((SELECT l.shared FROM lists l WHERE l.id = n.list_id), false);
  END IF;
  RETURN NULL;
END $$;
