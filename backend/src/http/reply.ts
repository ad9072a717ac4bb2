import type { TSchema } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";

/** A response entry for OpenAPI: JSON content of `schema`, with the headers it carries. */
export const jsonContent = (description: string, schema: TSchema, headers: Record<string, unknown> = {}): TSchema =>
  ({ description, headers, content: { "application/json": { schema } } }) as unknown as TSchema;

export const linkHeader = {
  link: { type: "string", description: 'Present when more results exist: `<url>; rel="next"`' },
};
export const etagHeader = { etag: { type: "string", description: "Strong validator of the resource's current state" } };

export interface JsonPage {
  /** A JSON array: text from the database, or bytes from a cache. */
  body: string | Buffer;
  nextCursor: string | null;
}

/**
 * Sends JSON that is already text (built by PostgreSQL): nothing is parsed or
 * serialized again. Personal data, so never stored by shared caches.
 */
export function sendJsonText(reply: FastifyReply, body: string | Buffer, status = 200, cacheControl = "private, no-cache"): FastifyReply {
  return reply.code(status).type("application/json; charset=utf-8").header("cache-control", cacheControl).send(body);
}

/** Sends one page with the `Link` to the next one, built from this request's own URL on the public origin. */
export function sendPage(
  req: FastifyRequest,
  reply: FastifyReply,
  page: JsonPage,
  options: { publicUrl: string; cacheControl?: string },
): FastifyReply {
  if (page.nextCursor) {
    const url = new URL(req.url, options.publicUrl);
    const base = new URL(options.publicUrl);
    url.protocol = base.protocol;
    url.host = base.host;
    url.searchParams.set("cursor", page.nextCursor);
    reply.header("link", `<${url.toString()}>; rel="next"`);
  }
  return sendJsonText(reply, page.body, 200, options.cacheControl);
}
