import { useQuery } from "@tanstack/react-query";
import type { Member } from "../api/openapi";
import { useAuth } from "../auth/AuthProvider";
import { membersQuery } from "../sharing/queries";

/** What a person is called in the app: their name, or their email when they gave none. */
export const displayName = (m: Pick<Member, "name" | "email">) => m.name.trim() || m.email;

const GENERIC = new Set(["Someone", "A former member", "You"]);

/** A name from `nameOf` in the middle of a sentence: "removed someone", "made you a viewer". */
export const inSentence = (name: string) => (GENERIC.has(name) ? name.charAt(0).toLowerCase() + name.slice(1) : name);

export interface People {
  members: Member[];
  /** Whether the list's members are known (the names below are final). */
  loaded: boolean;
  /** Loaded, or failed to load: the names below are what will show. */
  settled: boolean;
  find: (id: string | null | undefined) => Member | undefined;
  /**
   * How a person reads in a sentence: a deleted account (null) is "Someone"; a person who has left
   * the list "A former member"; the caller, with `you`, "You".
   */
  nameOf: (id: string | null | undefined, options?: { you?: boolean }) => string;
}

/** The members of a list, to name people by id (the list's members are read only when `enabled`). */
export function usePeople(listId: string | null | undefined, enabled = true): People {
  const auth = useAuth();
  const me = auth.state.status === "signedIn" ? auth.state.me : null;
  // Members change rarely; a minute's copy spares a request per task row and dialog.
  const query = useQuery({ ...membersQuery(listId ?? ""), staleTime: 60_000, enabled: Boolean(listId) && enabled });
  const members = query.data ?? [];
  const find = (id: string | null | undefined) => (id ? members.find((m) => m.user_id === id) : undefined);
  return {
    members,
    loaded: query.isSuccess,
    settled: query.isSuccess || query.isError,
    find,
    nameOf: (id, options = {}) => {
      if (!id) return "Someone";
      if (options.you && me?.id === id) return "You";
      const member = find(id);
      if (member) return displayName(member);
      if (me?.id === id) return me.name || me.email;
      if (query.isError) return "A member";
      return query.isSuccess ? "A former member" : "…";
    },
  };
}
