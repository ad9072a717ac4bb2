import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { DomainError, type ErrorCode, type FieldError, notFound, unavailable, validationFailed } from "../domain/errors.ts";

export type { ErrorCode, FieldError } from "../domain/errors.ts";

/** The HTTP status of each code of the error vocabulary (src/errors.ts). */
export const errorCodes: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  unsupported_media_type: 415,
  // Before validation_failed: a bare 422 from elsewhere maps to validation_failed (the last one wins).
  limit_exceeded: 422,
  validation_failed: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

const titles: Record<ErrorCode, string> = {
  bad_request: "Bad request",
  unauthorized: "Unauthorized",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  precondition_failed: "Precondition failed",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  limit_exceeded: "Limit exceeded",
  validation_failed: "Validation failed",
  rate_limited: "Too many requests",
  internal: "Internal server error",
  unavailable: "Service unavailable",
};

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  request_id: string;
  errors?: FieldError[];
}

export function problemBody(code: ErrorCode, detail: string, requestId: string, errors?: FieldError[]): Problem {
  return {
    type: `urn:doable:problem:${code}`,
    title: titles[code],
    status: errorCodes[code],
    detail,
    code,
    request_id: requestId,
    ...(errors ? { errors } : {}),
  };
}

/** The headers a code carries besides its status. */
function headersOf(error: DomainError): Record<string, string> | null {
  if (error.code === "unauthorized") return { "www-authenticate": 'Bearer error="invalid_token"' };
  if (error.retryAfterSeconds !== undefined) return { "retry-after": String(error.retryAfterSeconds) };
  return null;
}

export function sendProblem(reply: FastifyReply, error: DomainError): FastifyReply {
  const headers = headersOf(error);
  if (headers) reply.headers(headers);
  const body = problemBody(error.code, error.detail, String(reply.request.id), error.errors);
  // Serialized here rather than by a route's response schema: the error
  // handler may run for routes whose schemas do not list this status.
  return reply.code(errorCodes[error.code]).type("application/problem+json").serializer(JSON.stringify).send(body);
}

const codeByStatus = new Map<number, ErrorCode>(Object.entries(errorCodes).map(([code, status]) => [status, code as ErrorCode]));

/** PostgreSQL / driver failures that mean "the database is unreachable right now". */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  if (typeof e?.code === "string") {
    if (["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EAI_AGAIN"].includes(e.code)) return true;
    // 57014: statement timeout (the server's, should it ever fire before the watchdog);
    // 57P01..57P03: admin shutdown, crash shutdown, cannot connect now; 08xxx: connection exceptions;
    // 40P01 / 40001: PostgreSQL aborted a deadlock or a serialization conflict: retrying succeeds.
    if (e.code === "57014" || e.code === "40P01" || e.code === "40001" || /^57P0[1-3]$/.test(e.code) || e.code.startsWith("08"))
      return true;
  }
  const message = e?.message ?? "";
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|connection timeout/i.test(
    message,
  );
}

interface AjvError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Maps an Ajv validation error to the field a client would recognise (`title`, `tags[2]`, `limit`). */
function fieldOf(error: AjvError): string {
  const segments = error.instancePath.split("/").filter(Boolean);
  if (error.keyword === "required" && typeof error.params.missingProperty === "string") segments.push(error.params.missingProperty);
  if (error.keyword === "additionalProperties" && typeof error.params.additionalProperty === "string") {
    segments.push(error.params.additionalProperty);
  }
  return segments.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "") || "body";
}

/** Fields clients see but never set; naming one in a body gets a message that says so. */
const readOnlyFields = new Set([
  "id",
  "user_id",
  "created_by",
  "created_at",
  "updated_at",
  "completed_at",
  "version",
  "role",
  "banned",
  "email",
]);

/** A task's place (list, parent, order) changes only through its move route, never in an update. */
const movedFields = new Set(["list_id", "parent_id", "position"]);
const taskUpdateRoute = /^\/api\/tasks\/:id$/;

function messageOf(error: AjvError, route: string | undefined): string {
  const p = error.params;
  switch (error.keyword) {
    case "additionalProperties": {
      const name = p.additionalProperty;
      if (typeof name === "string" && movedFields.has(name) && route !== undefined && taskUpdateRoute.test(route)) {
        return "cannot be changed here: use POST /api/tasks/{id}/move";
      }
      return typeof name === "string" && readOnlyFields.has(name) ? "is read-only" : "is not a field you can set";
    }
    case "required":
      return "is required";
    case "minLength":
      return p.limit === 1 ? "must not be blank" : `must be at least ${p.limit} characters`;
    case "maxLength":
      return `must be at most ${p.limit} characters`;
    case "minimum":
      return `must be at least ${p.limit}`;
    case "maximum":
      return `must be at most ${p.limit}`;
    case "maxItems":
      return `must have at most ${p.limit} items`;
    case "minProperties":
      return "must name at least one field to change";
    case "type":
      return `must be ${p.type === "integer" ? "a whole number" : p.type === "array" ? "a list" : `a${/^[aeiou]/.test(String(p.type)) ? "n" : ""} ${p.type}`}`;
    case "format":
      return p.format === "date-time"
        ? "must be an RFC 3339 date and time with an offset, e.g. 2026-01-31T17:00:00+01:00"
        : `must be a valid ${p.format}`;
    case "pattern":
      return "contains characters that are not allowed";
    case "anyOf":
    case "const":
    case "enum":
      return "is not one of the allowed values";
    default:
      return error.message ?? "is not valid";
  }
}

/** `route`: the route's URL pattern (some messages depend on where the field was sent). */
export function validationErrors(errors: AjvError[], route?: string): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const error of errors) {
    const fe = { field: fieldOf(error), message: messageOf(error, route) };
    const key = `${fe.field}\u0000${fe.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(fe);
  }
  return out;
}

/** The single translation from anything thrown to what a client may see. */
export function toDomainError(err: unknown, request: FastifyRequest): DomainError {
  if (err instanceof DomainError) return err;
  const fe = err as FastifyError & { validation?: AjvError[]; validationContext?: string };
  if (fe?.validation) {
    return validationFailed(
      validationErrors(fe.validation, request.routeOptions?.url),
      `The request ${fe.validationContext ?? "input"} is not valid.`,
    );
  }
  switch (fe?.code) {
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new DomainError("unsupported_media_type", "Send the body as application/json.");
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new DomainError("payload_too_large", "The request body is larger than the limit.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new DomainError("bad_request", "The body is not valid JSON.");
    case "FST_ERR_CTP_INVALID_CONTENT_LENGTH":
      return new DomainError("bad_request", "The Content-Length header does not match the body.");
    case "FST_ERR_BAD_URL":
      return new DomainError("bad_request", "The URL is not valid: it has a malformed percent-encoding.");
    // An id too long for any route names nothing: the same 404 as any id that does not exist.
    case "FST_ERR_MAX_PARAM_LENGTH":
      return notFound("Nothing is at this address.");
  }
  if (fe instanceof SyntaxError || fe?.name === "SyntaxError") return new DomainError("bad_request", "The body is not valid JSON.");
  if (isDatabaseUnavailable(err)) return unavailable();
  const status = typeof fe?.statusCode === "number" ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const code = codeByStatus.get(status) ?? "bad_request";
    return new DomainError(code, STATUS_CODES[status] ?? "Bad request");
  }
  request.log.error({ err }, "unhandled error");
  return new DomainError("internal", "Something went wrong on our side; the error has been logged.");
}
