import { describe, expect, it } from "vitest";
import { formatDateTime, isOverdue, localInputToRfc3339, rfc3339ToLocalInput, toRfc3339Local } from "./datetime";

// vite.config.ts runs the tests in America/New_York (UTC−5, UTC−4 in summer).
describe("local time ↔ RFC 3339", () => {
  it("runs in the expected zone", () => {
    expect(new Date("2025-01-15T12:00:00Z").getTimezoneOffset()).toBe(300);
  });

  it("adds the winter offset", () => {
    expect(localInputToRfc3339("2025-01-15T09:30")).toBe("2025-01-15T09:30:00-05:00");
  });

  it("adds the summer (DST) offset", () => {
    expect(localInputToRfc3339("2025-07-04T18:05")).toBe("2025-07-04T18:05:00-04:00");
  });

  it("keeps seconds when given", () => {
    expect(localInputToRfc3339("2025-07-04T18:05:07")).toBe("2025-07-04T18:05:07-04:00");
  });

  it("produces the same instant", () => {
    const iso = localInputToRfc3339("2025-03-01T14:30");
    expect(new Date(iso as string).toISOString()).toBe("2025-03-01T19:30:00.000Z");
  });

  it('treats empty as "no due date" and rejects nonsense', () => {
    expect(localInputToRfc3339("")).toBeNull();
    expect(localInputToRfc3339("  ")).toBeNull();
    expect(localInputToRfc3339("tomorrow")).toBeUndefined();
    expect(localInputToRfc3339("2025-02-30T10:00")).toBeUndefined();
    expect(localInputToRfc3339("2025-13-01T10:00")).toBeUndefined();
  });

  it("shows a UTC timestamp as local input", () => {
    expect(rfc3339ToLocalInput("2025-01-15T14:30:00.000Z")).toBe("2025-01-15T09:30");
    expect(rfc3339ToLocalInput("2025-07-04T22:05:00Z")).toBe("2025-07-04T18:05");
    expect(rfc3339ToLocalInput("2025-07-04T18:05:00+02:00")).toBe("2025-07-04T12:05");
    expect(rfc3339ToLocalInput(null)).toBe("");
    expect(rfc3339ToLocalInput("garbage")).toBe("");
  });

  it("round-trips through both conversions", () => {
    for (const v of ["2024-02-29T00:00", "2025-03-09T03:30", "2025-11-02T23:59", "1999-12-31T12:00"]) {
      expect(rfc3339ToLocalInput(localInputToRfc3339(v))).toBe(v);
    }
  });

  it("formats offsets with minutes", () => {
    const d = new Date("2025-01-15T12:00:00Z");
    expect(toRfc3339Local(d)).toBe("2025-01-15T07:00:00-05:00");
  });
});

describe("display helpers", () => {
  it("formats in the local zone", () => {
    expect(formatDateTime("2025-01-15T14:30:00Z", "en-US")).toBe("Jan 15, 2025, 9:30 AM");
    expect(formatDateTime(null)).toBe("");
  });

  it("knows overdue tasks", () => {
    const now = Date.parse("2025-01-15T12:00:00Z");
    expect(isOverdue({ due_at: "2025-01-15T11:59:00Z", completed: false }, now)).toBe(true);
    expect(isOverdue({ due_at: "2025-01-15T11:59:00Z", completed: true }, now)).toBe(false);
    expect(isOverdue({ due_at: "2025-01-15T12:01:00Z", completed: false }, now)).toBe(false);
    expect(isOverdue({ due_at: null, completed: false }, now)).toBe(false);
  });
});
