/**
 * The one error vocabulary (SPEC §5), as services speak it: a stable code, a
 * sentence for a person and, for validation, the fields. Nothing here knows
 * about HTTP; http/errors.ts maps each code to a status, headers and
 * problem+json, once.
 */
export const errorCodeList = [
  "bad_request",
  "unauthorized",
  "forbidden",
  "not_found",
  "method_not_allowed",
  "conflict",
  "precondition_failed",
  "payload_too_large",
  "unsupported_media_type",
  "limit_exceeded",
  "validation_failed",
  "rate_limited",
  "internal",
  "unavailable",
] as const;

export type ErrorCode = (typeof errorCodeList)[number];

export interface FieldError {
  field: string;
  message: string;
}

/** A failure a client should see. Services throw these; one handler in http/ maps them. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** For `rate_limited` and `unavailable`: when trying again may succeed. */
    readonly retryAfterSeconds?: number,
  ) {
    super(detail);
    this.name = "DomainError";
  }
}

export const badRequest = (detail: string) => new DomainError("bad_request", detail);
export const notFound = (detail = "The resource does not exist.") => new DomainError("not_found", detail);
export const unauthorized = (detail = "A valid bearer token is required.") => new DomainError("unauthorized", detail);
export const forbidden = (detail: string) => new DomainError("forbidden", detail);
export const conflict = (detail: string) => new DomainError("conflict", detail);
export const preconditionFailed = (detail = "The resource has changed since you read it.") =>
  new DomainError("precondition_failed", detail);
export const validationFailed = (errors: FieldError[], detail = "The request is not valid.") =>
  new DomainError("validation_failed", detail, errors);
/** A configured limit (lists per user, tasks per list, subtasks per task) would be passed: a 422. */
export const limitExceeded = (detail: string, field?: string) =>
  new DomainError("limit_exceeded", detail, field ? [{ field, message: detail }] : undefined);
export const rateLimited = (retryAfterSeconds: number) =>
  new DomainError("rate_limited", `Too many requests; retry in ${retryAfterSeconds} s.`, undefined, retryAfterSeconds);
export const unavailable = (detail = "The service is temporarily unavailable; retry shortly.") =>
  new DomainError("unavailable", detail, undefined, 1);
