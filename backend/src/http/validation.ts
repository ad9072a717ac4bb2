import Ajv, { type Options } from "ajv";
import addFormats from "ajv-formats";
import type { FastifySchema, FastifySchemaCompiler } from "fastify";

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
