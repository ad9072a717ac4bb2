import type { Task } from "../api/openapi";
import { Avatar } from "../sharing/Avatars";
import { displayName, usePeople } from "./people";

/** The assignee's initials on a task row (a task in a shared list that someone is assigned to). */
export function AssigneeBadge({ task }: { task: Task }) {
  const assignee = task.assignee_id;
  const people = usePeople(task.list_id, assignee !== null);
  if (!assignee || !people.loaded) return null;
  const member = people.find(assignee);
  const label = `Assigned to ${member ? displayName(member) : people.nameOf(assignee)}`;
  return (
    <span className="assignee" title={label}>
      <Avatar member={member ?? { user_id: assignee, name: "?", email: "" }} />
      <span className="visually-hidden">{label}</span>
    </span>
  );
}
