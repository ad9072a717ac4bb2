import type { Activity } from "../api/openapi";
import { quote } from "../tasks/useTaskEditor";
import { formatInZone } from "../tasks/zone";
import { inSentence } from "./people";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "just now", "5 min ago", "3 h ago", "yesterday", "4 days ago", then the date and time in the user's zone. */
export function timeAgo(iso: string, now: number, timeZone: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return "";
  const ago = now - ms;
  if (ago < MINUTE) return "just now";
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)} min ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)} h ago`;
  if (ago < 2 * DAY) return "yesterday";
  if (ago < 7 * DAY) return `${Math.floor(ago / DAY)} days ago`;
  return formatInZone(iso, timeZone);
}

const FIELD_NAMES: Record<string, string> = {
  title: "title",
  description: "description",
  priority: "priority",
  due_at: "due date",
  due_date: "due date",
  tags: "tags",
  assignee_id: "assignee",
  parent_id: "parent",
  position: "order",
};

/** ["title", "due_at", "due_date"] → "title and due date". */
function fieldList(fields: unknown): string {
  if (!Array.isArray(fields)) return "";
  const names = [...new Set(fields.filter((f): f is string => typeof f === "string").map((f) => FIELD_NAMES[f] ?? f.replace(/_/g, " ")))];
  if (names.length <= 1) return names.join("");
  return `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}

const roleName = (role: unknown) =>
  role === "editor" ? "an editor" : role === "viewer" ? "a viewer" : role === "owner" ? "the owner" : "a member";

/**
 * One entry of a list's activity in words, e.g. `Ann completed “Buy milk”`. `nameOf` names the
 * actor and the subject (a deleted account is "Someone").
 */
export function describeActivity(entry: Activity, nameOf: (id: string | null) => string): string {
  const who = nameOf(entry.actor_id);
  const whom = nameOf(entry.user_id);
  const subject = inSentence(whom);
  const title = typeof entry.data.title === "string" ? quote(entry.data.title) : "a task";
  switch (entry.action) {
    case "task.created":
      return `${who} added ${title}`;
    case "task.completed":
      return `${who} completed ${title}`;
    case "task.reopened":
      return `${who} reopened ${title}`;
    case "task.updated": {
      // An assignment alone names the new assignee (the entry's subject; none when un-assigned).
      const only = Array.isArray(entry.data.fields) && entry.data.fields.length === 1 ? entry.data.fields[0] : null;
      if (only === "assignee_id") return entry.user_id ? `${who} assigned ${title} to ${subject}` : `${who} unassigned ${title}`;
      const fields = fieldList(entry.data.fields);
      return fields ? `${who} changed the ${fields} of ${title}` : `${who} edited ${title}`;
    }
    case "task.moved":
      return `${who} moved ${title}`;
    case "task.deleted":
      return `${who} deleted ${title}`;
    case "comment.created":
      return `${who} commented on ${title}`;
    case "member.joined":
      return `${whom} joined the list as ${roleName(entry.data.role)}`;
    case "member.left":
      return `${whom} left the list`;
    case "member.removed":
      return `${who} removed ${subject} from the list`;
    case "member.role_changed":
      return `${who} made ${subject} ${roleName(entry.data.role)}`;
    case "list.transferred":
      return `${who} handed the list over to ${subject}`;
    case "invitation.created":
      return `${who} invited someone as ${roleName(entry.data.role)}`;
    default:
      return `${who}: ${entry.action.replace(/[._]/g, " ")}`;
  }
}
