import type { components } from "./openapi";

/** A problem+json body as the server documents it; every field optional, as a proxy's error page may say anything. */
export type Problem = Partial<components["schemas"]["Problem"]>;
export type FieldError = NonNullable<Problem["errors"]>[number];

const FALLBACK_MESSAGES: Record<number, string> = {
  0: "Could not reach the server. Check your connection and try again.",
  400: "The request was not understood.",
  401: "You are not signed in.",
  403: "You do not have permission to do that.",
  404: "Not found — it may have been deleted.",
  409: "That conflicts with the current state. Reload and try again.",
  412: "This was changed elsewhere. The latest version has been loaded.",
  413: "That is too large.",
  422: "Some values are not valid.",
  429: "Too many requests. Wait a moment and try again.",
  503: "The service is temporarily unavailable. Try again shortly.",
};

/** An error answered by the API (or a network failure, status 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | undefined;
  readonly fieldErrors: FieldError[];

  constructor(status: number, problem: Problem = {}) {
    super(problem.detail || problem.title || fallbackMessage(status));
    this.name = "ApiError";
    this.status = status;
    this.code = problem.code ?? (status === 0 ? "network" : `http_${status}`);
    this.requestId = problem.request_id;
    this.fieldErrors = Array.isArray(problem.errors) ? problem.errors.filter(isFieldError) : [];
  }

  /** Field errors keyed by the last segment of the field path (`body.title` → `title`). */
  byField(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.fieldErrors) {
      const key = fieldKey(e.field);
      const message = sentence(e.message);
      out[key] = out[key] ? `${out[key]} ${message}` : message;
    }
    return out;
  }
}

export function fallbackMessage(status: number): string {
  return FALLBACK_MESSAGES[status] ?? (status >= 500 ? "Something went wrong on the server. Try again." : `Request failed (${status}).`);
}

/** "must be unique" → "Must be unique." */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const capital = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** `/body/title`, `body.title`, `tags[2]`, `tags.2` → `title` / `tags`. */
export function fieldKey(field: string): string {
  const parts = field.split(/[./]/).filter((p) => p !== "" && !/^\d+$/.test(p));
  const last = parts[parts.length - 1] ?? field;
  return last.replace(/\[\d+\]$/, "");
}

function isFieldError(e: unknown): e is FieldError {
  return (
    typeof e === "object" && e !== null && typeof (e as FieldError).field === "string" && typeof (e as FieldError).message === "string"
  );
}

/**
 * The ApiError for a failed response whose body has been read already (`body`: the parsed JSON,
 * or the text when it was not JSON).
 */
export function problemError(response: Response, body: unknown): ApiError {
  const problem: Problem = body && typeof body === "object" && !Array.isArray(body) ? { ...(body as Problem) } : {};
  if (!problem.request_id) {
    const rid = response.headers.get("x-request-id");
    if (rid) problem.request_id = rid;
  }
  return new ApiError(response.status, problem);
}

/** A message for any thrown value, suitable to show to a person. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error && err.message) return err.message;
  return "Something went wrong. Try again.";
}
