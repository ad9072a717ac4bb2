import { describe, expect, it } from "vitest";
import { dayIn, formatDay, formatInZone, isOverdueIn, offsetMinutes, rfc3339ToZonedInput, zonedInputToRfc3339 } from "./zone";

describe("times in the user's zone (not the browser's, which is New York in these tests)", () => {
  it("reads a datetime-local value in the given zone, with the offset in force that day", () => {
    expect(zonedInputToRfc3339("2031-05-01T17:00", "Europe/Paris")).toBe("2031-05-01T17:00:00+02:00");
    expect(zonedInputToRfc3339("2031-01-15T17:00", "Europe/Paris")).toBe("2031-01-15T17:00:00+01:00");
    expect(zonedInputToRfc3339("2031-05-01T17:00", "Pacific/Kiritimati")).toBe("2031-05-01T17:00:00+14:00");
    expect(zonedInputToRfc3339("2031-05-01T17:00", "UTC")).toBe("2031-05-01T17:00:00+00:00");
    expect(zonedInputToRfc3339("", "UTC")).toBeNull();
    expect(zonedInputToRfc3339("2031-02-30T10:00", "UTC")).toBeUndefined();
    expect(zonedInputToRfc3339("tomorrow", "UTC")).toBeUndefined();
  });

  it("handles the hour skipped and the hour repeated by daylight saving", () => {
    // New York, 9 March 2031: 02:00 → 03:00. 02:30 does not exist; it means 03:30 EDT.
    expect(zonedInputToRfc3339("2031-03-09T02:30", "America/New_York")).toBe("2031-03-09T03:30:00-04:00");
    // 2 November 2031: 01:30 happens twice; the first (EDT) is taken.
    expect(zonedInputToRfc3339("2031-11-02T01:30", "America/New_York")).toBe("2031-11-02T01:30:00-04:00");
    expect(offsetMinutes(Date.parse("2031-11-02T06:30:00Z"), "America/New_York")).toBe(-300);
  });

  it("shows an instant as the wall clock of the zone, so changing the zone moves it", () => {
    const iso = "2031-05-01T15:00:00.000Z";
    expect(rfc3339ToZonedInput(iso, "Europe/Paris")).toBe("2031-05-01T17:00");
    expect(rfc3339ToZonedInput(iso, "Asia/Tokyo")).toBe("2031-05-02T00:00");
    expect(formatInZone(iso, "Europe/Paris", "en-GB")).toBe("1 May 2031, 17:00");
    expect(formatInZone(iso, "Asia/Tokyo", "en-GB")).toBe("2 May 2031, 00:00");
  });

  it("shows an all-day date as that day in every zone", () => {
    expect(formatDay("2031-05-01", "en-GB")).toBe("1 May 2031");
    expect(formatDay("not a day", "en-GB")).toBe("");
  });

  it("computes today and overdue in the zone", () => {
    const now = Date.parse("2031-05-01T23:30:00Z");
    expect(dayIn(now, "UTC")).toBe("2031-05-01");
    expect(dayIn(now, "Pacific/Tongatapu")).toBe("2031-05-02");
    const open = { due_at: null, due_date: "2031-05-01", completed: false };
    expect(isOverdueIn(open, "UTC", now)).toBe(false);
    expect(isOverdueIn(open, "Pacific/Tongatapu", now)).toBe(true);
    expect(isOverdueIn({ ...open, completed: true }, "Pacific/Tongatapu", now)).toBe(false);
    expect(isOverdueIn({ due_at: "2031-05-01T23:00:00Z", completed: false }, "UTC", now)).toBe(true);
  });
});
