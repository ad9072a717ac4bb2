/** Subtask progress as "2/5" (done of all direct subtasks), or null for a task without subtasks. */
export function subtaskProgress(task: { subtask_count: number; open_subtask_count: number }): {
  done: number;
  total: number;
  text: string;
  label: string;
} | null {
  const total = task.subtask_count;
  if (!total) return null;
  const done = Math.max(0, total - task.open_subtask_count);
  return { done, total, text: `${done}/${total}`, label: `${done} of ${total} subtasks done` };
}
