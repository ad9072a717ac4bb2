import type { Task } from "../api/openapi";
import { displayName, initials, usePeople } from "./people";

/** The assignee's initials on a task row (a task in a shared list that someone is assigned to). */
export function AssigneeBadge({ task }: { task: Task }) {
  const assignee = task.assignee_id;
  const people = usePeople(task.list_id, assignee !== null);
  if (!assignee || !people.loaded) return null;
  const member = people.find(assignee);
  const name = member ? displayName(member) : people.nameOf(assignee);
  const label = `Assigned to ${name}`;
  return (
    <span className="avatar assignee" title={label}>
      <span aria-hidden="true">{member ? initials(member.name, member.email) : "?"}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  );
}
