import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { actorOf } from "../auth/bearer-gate.ts";
import { etagOf } from "../http/conditional.ts";
import { jsonContent, sendJsonText } from "../http/reply.ts";
import { apiErrors, problemResponses } from "../http/schemas.ts";
import { List, listHeaders } from "../lists/schemas.ts";
import type { ListResult } from "../lists/service.ts";
import {
  IncomingInvitation,
  Invitation,
  InvitationCreate,
  InvitationIdParams,
  ListIdParams,
  ListInvitationParams,
  Member,
  MemberParams,
  MemberUpdate,
  Transfer,
} from "./schemas.ts";
import * as sharing from "./service.ts";

/** Trims the address before validation, so that its format is checked as it is stored. */
async function trimEmail(req: FastifyRequest): Promise<void> {
  const body = req.body as Record<string, unknown> | null;
  if (body && typeof body === "object" && !Array.isArray(body) && typeof body.email === "string") body.email = body.email.trim();
}

const sendList = (reply: FastifyReply, list: ListResult): FastifyReply =>
  sendJsonText(reply.header("etag", etagOf(list.version)), list.json);
const noContent = { description: "Done", type: "null" } as const;

/**
 * Sharing a list (SPEC §8): invitations (made by the owner, answered by the
 * invitee) and memberships (roles, leaving, removal, transfer). Registered
 * after listRoutes, whose List schema the answers of accept and transfer use.
 */
export const sharingRoutes = fp(async (scope: FastifyInstance) => {
  for (const schema of [Invitation, IncomingInvitation, InvitationCreate, Member, MemberUpdate, Transfer]) scope.addSchema(schema);
  const api = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { db, clock } = api.ctx;
  const ctxOf = (req: FastifyRequest): sharing.SharingContext => ({ db, userId: actorOf(req).id, clock, log: req.log });
  const invitationTags = ["invitations"];
  const memberTags = ["members"];

  api.post(
    "/api/lists/:id/invitations",
    {
      preValidation: trimEmail,
      schema: {
        operationId: "createInvitation",
        summary: "Invite an address to a list you own (renews a pending invitation of it); the same answer for every address",
        tags: invitationTags,
        params: ListIdParams,
        body: Type.Ref(InvitationCreate),
        response: {
          202: jsonContent("Invited: the invitation waits for the address's account", Type.Ref(Invitation)),
          // 405: an id such as "." leaves /api/lists/invitations, a path with other methods only.
          ...problemResponses(...apiErrors, 403, 404, 405, 409),
        },
      },
    },
    async (req, reply) => sendJsonText(reply, await sharing.invite(ctxOf(req), req.params.id, req.body), 202),
  );

  api.get(
    "/api/lists/:id/invitations",
    {
      schema: {
        operationId: "listInvitations",
        summary: "The pending invitations of a list you own, newest first",
        tags: invitationTags,
        params: ListIdParams,
        response: {
          200: jsonContent("The pending invitations", Type.Array(Type.Ref(Invitation))),
          ...problemResponses(...apiErrors, 403, 404),
        },
      },
    },
    async (req, reply) => sendJsonText(reply, await sharing.listInvitations(ctxOf(req), req.params.id)),
  );

  api.delete(
    "/api/lists/:id/invitations/:invitation_id",
    {
      schema: {
        operationId: "revokeInvitation",
        summary: "Revoke a pending invitation of a list you own",
        tags: invitationTags,
        params: ListInvitationParams,
        response: { 204: noContent, ...problemResponses(...apiErrors, 403, 404) },
      },
    },
    async (req, reply) => {
      await sharing.revokeInvitation(ctxOf(req), req.params.id, req.params.invitation_id);
      return reply.code(204).send();
    },
  );

  api.get(
    "/api/invitations",
    {
      schema: {
        operationId: "listIncomingInvitations",
        summary: "The pending invitations to your account's address, newest first",
        tags: invitationTags,
        response: {
          200: jsonContent("Your pending invitations", Type.Array(Type.Ref(IncomingInvitation))),
          ...problemResponses(...apiErrors),
        },
      },
    },
    async (req, reply) => sendJsonText(reply, await sharing.incomingInvitations(ctxOf(req))),
  );

  api.post(
    "/api/invitations/:id/accept",
    {
      schema: {
        operationId: "acceptInvitation",
        summary: "Accept an invitation to you: the list joins the end of your order",
        tags: invitationTags,
        params: InvitationIdParams,
        response: {
          200: jsonContent("The list, as you now see it", Type.Ref(List), listHeaders),
          ...problemResponses(...apiErrors, 404),
        },
      },
    },
    async (req, reply) => sendList(reply, await sharing.accept(ctxOf(req), req.params.id)),
  );

  api.post(
    "/api/invitations/:id/decline",
    {
      schema: {
        operationId: "declineInvitation",
        summary: "Decline an invitation to you",
        tags: invitationTags,
        params: InvitationIdParams,
        response: { 204: noContent, ...problemResponses(...apiErrors, 404) },
      },
    },
    async (req, reply) => {
      await sharing.decline(ctxOf(req), req.params.id);
      return reply.code(204).send();
    },
  );

  api.get(
    "/api/lists/:id/members",
    {
      schema: {
        operationId: "listMembers",
        summary: "The members of a list you are a member of: the owner first, then by joining",
        tags: memberTags,
        params: ListIdParams,
        response: { 200: jsonContent("The members", Type.Array(Type.Ref(Member))), ...problemResponses(...apiErrors, 404) },
      },
    },
    async (req, reply) => sendJsonText(reply, await sharing.listMembers(ctxOf(req), req.params.id)),
  );

  api.patch(
    "/api/lists/:id/members/:user_id",
    {
      schema: {
        operationId: "updateMember",
        summary: "Change a member's role (owner only; the owner's own role changes by a transfer: 409)",
        tags: memberTags,
        params: MemberParams,
        body: Type.Ref(MemberUpdate),
        response: { 200: jsonContent("The member", Type.Ref(Member)), ...problemResponses(...apiErrors, 403, 404, 409) },
      },
    },
    async (req, reply) => sendJsonText(reply, await sharing.changeRole(ctxOf(req), req.params.id, req.params.user_id, req.body)),
  );

  api.delete(
    "/api/lists/:id/members/:user_id",
    {
      schema: {
        operationId: "removeMember",
        summary: "Remove a member (owner), or leave the list (your own id; the owner transfers first: 409)",
        tags: memberTags,
        params: MemberParams,
        response: { 204: noContent, ...problemResponses(...apiErrors, 403, 404, 409) },
      },
    },
    async (req, reply) => {
      await sharing.removeMember(ctxOf(req), req.params.id, req.params.user_id);
      return reply.code(204).send();
    },
  );

  api.post(
    "/api/lists/:id/transfer",
    {
      schema: {
        operationId: "transferList",
        summary: "Hand a list you own to another member (you become an editor; the Inbox: 409)",
        tags: memberTags,
        params: ListIdParams,
        body: Type.Ref(Transfer),
        response: {
          200: jsonContent("The list, as you now see it", Type.Ref(List), listHeaders),
          ...problemResponses(...apiErrors, 403, 404, 405, 409),
        },
      },
    },
    async (req, reply) => sendList(reply, await sharing.transfer(ctxOf(req), req.params.id, req.body)),
  );
});
