import type { Member } from "../api/openapi";

/** "Ann Lee" → "AL", "bob@example.com" → "B": at most two letters, from the name or else the address. */
export function initials(name: string, email = ""): string {
  const words = name.trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0], words[words.length - 1]] : words.length ? [words[0]] : [email];
  return letters
    .map((w) => [...(w ?? "")][0] ?? "")
    .join("")
    .toUpperCase();
}

// Backgrounds dark enough for white initials (contrast above 4.5:1 in both colour schemes).
const AVATAR_COLORS = ["#1d4ed8", "#b42318", "#166534", "#7c3aed", "#9a3412", "#0f766e", "#be185d", "#4b5563"];

/** The same colour for the same person, everywhere. */
export function avatarColor(userId: string): string {
  let h = 0;
  for (const ch of userId) h = (h * 31 + (ch.codePointAt(0) ?? 0)) >>> 0;
  return AVATAR_COLORS[h % AVATAR_COLORS.length] ?? "#4b5563";
}

export const ROLE_LABELS: Record<Member["role"], string> = { owner: "Owner", editor: "Editor", viewer: "Viewer" };

/** A member's initials in a coloured circle; decorative (the name is said next to it, or by `label`). */
export function Avatar({ member, size = "small" }: { member: Pick<Member, "user_id" | "name" | "email">; size?: "small" | "large" }) {
  return (
    <span className={`avatar avatar-${size}`} style={{ background: avatarColor(member.user_id) }} aria-hidden="true">
      {initials(member.name, member.email)}
    </span>
  );
}

const SHOWN = 5;

/** The members of a list as a row of avatars (for the list page's header); names and roles for screen readers and on hover. */
export function MemberAvatars({ members }: { members: Member[] }) {
  const shown = members.slice(0, SHOWN);
  const more = members.length - shown.length;
  return (
    <ul className="avatars" aria-label="Members">
      {shown.map((m) => (
        <li key={m.user_id} title={`${m.name || m.email} (${ROLE_LABELS[m.role]})`}>
          <Avatar member={m} />
          <span className="visually-hidden">
            {m.name || m.email}, {ROLE_LABELS[m.role].toLowerCase()}
          </span>
        </li>
      ))}
      {more > 0 ? (
        <li className="avatars-more">
          +{more}
          <span className="visually-hidden"> more</span>
        </li>
      ) : null}
    </ul>
  );
}
