import { type QueryClient, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ok } from "../api/client";
import type { Invitation, Member, MemberUpdate } from "../api/openapi";
import { listKeys, refreshLists } from "../lists/queries";
import { taskKeys } from "../tasks/queries";

/** The roles an owner hands out (`owner` changes hands only by a transfer). */
export type InviteRole = MemberUpdate["role"];

const client = api.client;

export const sharingKeys = {
  /** Under the lists' key: every list write (refreshLists) re-reads them too. */
  members: (listId: string) => ["lists", "members", listId] as const,
  invitations: (listId: string) => ["lists", "invitations", listId] as const,
  incoming: ["invitations", "incoming"] as const,
};

const path = (id: string) => ({ params: { path: { id } } });
const member = (id: string, userId: string) => ({ params: { path: { id, user_id: userId } } });

/** A list's members, the owner first (any member may read them). */
export function membersQuery(listId: string) {
  return queryOptions({
    queryKey: sharingKeys.members(listId),
    queryFn: async ({ signal }) => (await ok(client.GET("/api/lists/{id}/members", { ...path(listId), signal }))).data,
  });
}

/** The pending invitations of a list (its owner only), newest first. */
export function invitationsQuery(listId: string) {
  return queryOptions({
    queryKey: sharingKeys.invitations(listId),
    queryFn: async ({ signal }) => (await ok(client.GET("/api/lists/{id}/invitations", { ...path(listId), signal }))).data,
  });
}

/** The invitations waiting for the caller. */
export function incomingQuery() {
  return queryOptions({
    queryKey: sharingKeys.incoming,
    queryFn: async ({ signal }) => (await ok(client.GET("/api/invitations", { signal }))).data,
  });
}

export function useInvite(listId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (body: { email: string; role: InviteRole }) =>
      (await ok(client.POST("/api/lists/{id}/invitations", { ...path(listId), body }))).data,
    // Shown at once (a re-invitation replaces the one it renewed), then re-read.
    onSuccess: (invitation) =>
      qc.setQueryData<Invitation[]>(
        sharingKeys.invitations(listId),
        (old) => old && [invitation, ...old.filter((i) => i.id !== invitation.id)],
      ),
    onSettled: () => qc.invalidateQueries({ queryKey: sharingKeys.invitations(listId) }),
  });
}

export function useRevokeInvitation(listId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (invitationId: string) => {
      await ok(
        client.DELETE("/api/lists/{id}/invitations/{invitation_id}", { params: { path: { id: listId, invitation_id: invitationId } } }),
      );
    },
    onSuccess: (_d, invitationId) =>
      qc.setQueryData<Invitation[]>(sharingKeys.invitations(listId), (old) => old?.filter((i) => i.id !== invitationId)),
    onSettled: () => qc.invalidateQueries({ queryKey: sharingKeys.invitations(listId) }),
  });
}

export function useChangeRole(listId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ userId, role }: { userId: string; role: InviteRole }) =>
      (await ok(client.PATCH("/api/lists/{id}/members/{user_id}", { ...member(listId, userId), body: { role } }))).data,
    onSuccess: (changed) =>
      qc.setQueryData<Member[]>(sharingKeys.members(listId), (old) => old?.map((m) => (m.user_id === changed.user_id ? changed : m))),
    onSettled: () => qc.invalidateQueries({ queryKey: sharingKeys.members(listId) }),
  });
}

/** What the caller no longer sees once out of a list: the list, its members and its tasks. */
export function forgetList(qc: QueryClient, listId: string) {
  qc.removeQueries({ queryKey: listKeys.detail(listId) });
  qc.removeQueries({ queryKey: sharingKeys.members(listId) });
  const ofList = (key: readonly unknown[]) => (key[3] as { list_id?: string } | undefined)?.list_id === listId;
  qc.removeQueries({ queryKey: taskKeys.lists({ kind: "mine" }), predicate: (q) => ofList(q.queryKey) });
  void qc.invalidateQueries({ queryKey: taskKeys.lists({ kind: "mine" }) });
}

/** Removes a member (the owner), or the caller itself (leaving the list: `self`). */
export function useRemoveMember(listId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ userId }: { userId: string; self?: boolean }) => {
      await ok(client.DELETE("/api/lists/{id}/members/{user_id}", member(listId, userId)));
    },
    onSuccess: (_d, { userId, self }) => {
      if (self) forgetList(qc, listId);
      else qc.setQueryData<Member[]>(sharingKeys.members(listId), (old) => old?.filter((m) => m.user_id !== userId));
    },
    onSettled: () => refreshLists(qc),
  });
}

/** Hands the list over to another member; the caller becomes an editor. */
export function useTransfer(listId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (userId: string) =>
      (await ok(client.POST("/api/lists/{id}/transfer", { ...path(listId), body: { user_id: userId } }))).data,
    onSuccess: (list) => {
      qc.setQueryData(listKeys.detail(listId), list);
      qc.removeQueries({ queryKey: sharingKeys.invitations(listId) });
    },
    onSettled: () => refreshLists(qc),
  });
}

export function useAcceptInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => (await ok(client.POST("/api/invitations/{id}/accept", path(id)))).data,
    onSuccess: (list) => qc.setQueryData(listKeys.detail(list.id), list),
    onSettled: () => {
      void qc.invalidateQueries({ queryKey: sharingKeys.incoming });
      refreshLists(qc);
    },
  });
}

export function useDeclineInvitation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => {
      await ok(client.POST("/api/invitations/{id}/decline", path(id)));
    },
    onSettled: () => qc.invalidateQueries({ queryKey: sharingKeys.incoming }),
  });
}
