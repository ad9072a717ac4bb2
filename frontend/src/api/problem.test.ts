import { describe, expect, it } from "vitest";
import { ApiError, fieldKey, messageOf, problemError } from "./problem";

/** What the typed client hands over for a failed response: the response, and its body parsed as JSON or kept as text. */
const failed = async (response: Response) => {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return problemError(response, body);
};
const problem = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  failed(new Response(JSON.stringify(body), { status, headers: { "content-type": "application/problem+json", ...headers } }));

describe("problemError", () => {
  it("reads an RFC 9457 problem", async () => {
    const err = await problem(422, {
      type: "about:blank",
      title: "Validation failed",
      status: 422,
      detail: "The request body is invalid.",
      code: "validation_failed",
      request_id: "req-1",
      errors: [
        { field: "title", message: "must not be empty" },
        { field: "/body/due_at", message: "must be RFC 3339" },
        { field: "tags[3]", message: "too long" },
        { bogus: true },
      ],
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe("validation_failed");
    expect(err.message).toBe("The request body is invalid.");
    expect(err.requestId).toBe("req-1");
    expect(err.byField()).toEqual({ title: "Must not be empty.", due_at: "Must be RFC 3339.", tags: "Too long." });
  });

  it("falls back to title, then to a status message", async () => {
    expect((await problem(409, { title: "Conflict" })).message).toBe("Conflict");
    const plain = await failed(
      new Response("<html>oops</html>", { status: 502, headers: { "content-type": "text/html", "x-request-id": "r9" } }),
    );
    expect(plain.message).toMatch(/server/i);
    expect(plain.code).toBe("http_502");
    expect(plain.requestId).toBe("r9");
  });

  it("survives a malformed JSON body", async () => {
    const err = await failed(new Response("{nope", { status: 429, headers: { "content-type": "application/json" } }));
    expect(err.message).toMatch(/too many requests/i);
  });

  it("joins several messages for the same field", () => {
    const err = new ApiError(422, {
      errors: [
        { field: "tags.0", message: "a." },
        { field: "tags.1", message: "b." },
      ],
    });
    expect(err.byField()).toEqual({ tags: "A. B." });
  });
});

describe("fieldKey / messageOf", () => {
  it("normalises field paths", () => {
    expect(fieldKey("body.title")).toBe("title");
    expect(fieldKey("/tags/2")).toBe("tags");
    expect(fieldKey("tags[2]")).toBe("tags");
    expect(fieldKey("priority")).toBe("priority");
  });

  it("describes unknown errors", () => {
    expect(messageOf(new ApiError(0))).toMatch(/could not reach/i);
    expect(messageOf(new Error("x"))).toBe("x");
    expect(messageOf("weird")).toMatch(/went wrong/);
  });
});
