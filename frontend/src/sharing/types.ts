// Temporary: the sharing routes as contract-14 describes them, until the generated types
// (frontend/src/api/openapi.ts) have them. Replaced by `npm run gen:api` once the backend lands.
import type { Client } from "openapi-fetch";
import { api } from "../api/client";
import type { List } from "../api/openapi";

export type MemberRole = "owner" | "editor" | "viewer";
export type InviteRole = "editor" | "viewer";

export interface Invitation {
  id: string;
  list_id: string;
  email: string;
  role: InviteRole;
  status: "pending" | "accepted" | "declined" | "revoked";
  invited_by: string | null;
  created_at: string;
  expires_at: string;
}

export interface IncomingInvitation {
  id: string;
  list_id: string;
  list_name: string;
  role: InviteRole;
  invited_by: string | null;
  inviter_name: string | null;
  created_at: string;
  expires_at: string;
}

export interface Member {
  user_id: string;
  name: string;
  email: string;
  image: string | null;
  role: MemberRole;
  joined_at: string;
}

type Json<T> = { content: { "application/json": T } };
type NoContent = { content?: never };
type Path<P> = { parameters: { path: P; query?: never; header?: never; cookie?: never } };
type NoParams = { parameters: { path?: never; query?: never; header?: never; cookie?: never } };

interface SharingPaths {
  "/api/lists/{id}/invitations": {
    get: Path<{ id: string }> & { responses: { 200: Json<Invitation[]> } };
    post: Path<{ id: string }> & { requestBody: Json<{ email: string; role: InviteRole }>; responses: { 202: Json<Invitation> } };
  };
  "/api/lists/{id}/invitations/{invitation_id}": {
    delete: Path<{ id: string; invitation_id: string }> & { responses: { 204: NoContent } };
  };
  "/api/invitations": { get: NoParams & { responses: { 200: Json<IncomingInvitation[]> } } };
  "/api/invitations/{id}/accept": { post: Path<{ id: string }> & { responses: { 200: Json<List> } } };
  "/api/invitations/{id}/decline": { post: Path<{ id: string }> & { responses: { 204: NoContent } } };
  "/api/lists/{id}/members": { get: Path<{ id: string }> & { responses: { 200: Json<Member[]> } } };
  "/api/lists/{id}/members/{user_id}": {
    patch: Path<{ id: string; user_id: string }> & { requestBody: Json<{ role: InviteRole }>; responses: { 200: Json<Member> } };
    delete: Path<{ id: string; user_id: string }> & { responses: { 204: NoContent } };
  };
  "/api/lists/{id}/transfer": {
    post: Path<{ id: string }> & { requestBody: Json<{ user_id: string }>; responses: { 200: Json<List> } };
  };
}

export const sharingClient = api.client as unknown as Client<SharingPaths>;
