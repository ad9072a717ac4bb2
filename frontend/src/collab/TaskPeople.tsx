import { useQuery } from "@tanstack/react-query";
import { listQuery } from "../lists/queries";
import { Field } from "../ui/Field";
import { displayName, inSentence, usePeople } from "./people";

interface AssigneeFieldProps {
  listId: string;
  /** The assignee's user id, "" when unassigned. */
  value: string;
  onChange: (userId: string) => void;
  error?: string | undefined;
  /** The task's creator (edit mode): null once their account is deleted. */
  createdBy?: string | null | undefined;
}

/**
 * The task's people in a shared list: who it is assigned to (any member, or nobody) and who
 * created it. A viewer sees the assignee but cannot change it. In a list nobody shares, nothing.
 */
export function AssigneeField({ listId, value, onChange, error, createdBy }: AssigneeFieldProps) {
  const list = useQuery(listQuery(listId));
  const shared = Boolean(list.data && !list.data.is_inbox && (list.data.member_count > 1 || value));
  const people = usePeople(listId, shared);
  if (!list.data || !shared) return null;
  const viewer = list.data.role === "viewer";
  const known = value === "" || people.find(value) !== undefined;
  return (
    <div className="task-people">
      <Field label="Assignee" error={error} {...(viewer ? { hint: "Viewers cannot assign tasks." } : {})} className="assignee-field">
        <select data-field="assignee_id" value={value} onChange={(e) => onChange(e.target.value)} disabled={viewer || !people.loaded}>
          <option value="">Unassigned</option>
          {people.members.map((m) => (
            <option key={m.user_id} value={m.user_id}>
              {displayName(m)}
            </option>
          ))}
          {known ? null : <option value={value}>{people.loaded ? "A former member" : "Loading members…"}</option>}
        </select>
      </Field>
      {createdBy !== undefined ? <p className="created-by">Created by {inSentence(people.nameOf(createdBy, { you: true }))}</p> : null}
    </div>
  );
}
