import Ajv, { type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchema, FastifySchemaCompiler } from "fastify";
import { DomainError, validationFailed } from "../domain/errors.ts";
import { validationErrors } from "./errors.ts";

const common: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false, unicodeRegExp: true };

/**
 * Bodies are validated without type coercion (a number is not a title), while
 * query strings, params and headers are coerced from text as usual and single
 * values become one-element arrays (`tag=a`). Shared schemas (`$id`) are
 * known to both.
 */
export function buildValidator(externalSchemas: Record<string, unknown>): FastifySchemaCompiler<FastifySchema> {
  const strict = addFormats.default(new Ajv.default({ ...common, coerceTypes: false }));
  const coercing = addFormats.default(new Ajv.default({ ...common, coerceTypes: "array" }));
  for (const schema of Object.values(externalSchemas ?? {})) {
    strict.addSchema(schema as object);
    coercing.addSchema(schema as object);
  }
  return ({ schema, httpPart }) => (httpPart === "body" ? strict : coercing).compile(schema as object);
}

/** `application/json` and `application/<anything>+json`, with or without parameters, in any letter case. */
export const jsonMediaType = /^\s*application\/(?:[\w!#$%&'*+.^`|~-]+\+)?json\s*(?:;|$)/i;

/**
 * For routes that must hand the raw body on (the Better Auth bridge): the same
 * JSON-only, strict checks every other body gets, as a function of the
 * Content-Type and the raw bytes that returns the problem, or null when the
 * body is acceptable.
 */
export function rawJsonBodyChecker(schema: object): (contentType: string | undefined, body: Buffer) => DomainError | null {
  const validate = addFormats.default(new Ajv.default({ ...common, coerceTypes: false })).compile(schema);
  return (contentType, body) => {
    if (!jsonMediaType.test(contentType ?? "")) return new DomainError("unsupported_media_type", "Send the body as application/json.");
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return new DomainError("bad_request", "The body is not valid JSON.");
    }
    if (validate(parsed)) return null;
    return validationFailed(validationErrors(validate.errors ?? []), "The request body is not valid.");
  };
}
