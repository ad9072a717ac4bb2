import { type TSchema, Type } from "@sinclair/typebox";
import { type ErrorCode, errorCodes } from "./errors.ts";

/** RFC 9457 problem details, as every error is sent. */
export const Problem = Type.Object(
  {
    type: Type.String({ description: "A URI naming the kind of problem (`urn:doable:problem:<code>`)." }),
    title: Type.String(),
    status: Type.Integer({ minimum: 400, maximum: 599 }),
    detail: Type.String({ description: "What went wrong, for a person." }),
    code: Type.Union(
      (Object.keys(errorCodes) as ErrorCode[]).map((c) => Type.Literal(c)),
      { description: "Stable machine-readable code." },
    ),
    request_id: Type.String({ description: "Also in the X-Request-Id header; quote it when reporting a problem." }),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() }), {
        description: "Per-field validation failures (422).",
      }),
    ),
  },
  { $id: "Problem", additionalProperties: true },
);

const descriptions: Record<number, string> = {
  304: "Not modified (If-None-Match matched)",
  400: "Malformed request (e.g. invalid JSON)",
  401: "Missing, invalid, expired or revoked bearer token",
  403: "Authenticated but not allowed",
  404: "Not found (or not yours)",
  405: "Method not allowed",
  409: "Conflict with the current state",
  412: "If-Match did not match the current ETag",
  413: "Body larger than 64 KiB",
  415: "Body is not JSON",
  422: "Validation failed; `errors` names the fields",
  429: "Rate limited; see Retry-After",
  500: "Unexpected error (details are logged, never sent)",
  503: "Database unavailable; retry",
};

/** Response schema entries for the given error statuses, all problem+json. */
export function problemResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of statuses) {
    out[status] = {
      description: descriptions[status] ?? "Error",
      content: { "application/problem+json": { schema: Type.Ref(Problem) } },
    } as unknown as TSchema;
  }
  return out;
}

/** The errors any authenticated API route can return. */
export const apiErrors = [400, 401, 413, 415, 422, 429, 500, 503] as const;
