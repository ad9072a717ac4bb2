/**
 * What a conditional write requires of the current version: any version
 * (`"any"`, If-Match: *), one of these versions, or nothing (null).
 */
export type ExpectedVersions = readonly number[] | "any" | null;
