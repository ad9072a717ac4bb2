import { createAuthClient } from "better-auth/react";

/** Better Auth's client, talking to `/api/auth/*` on this origin with the session cookie. */
export const authClient = createAuthClient();

interface AuthResult {
  error: { message?: string | undefined; status?: number; code?: string | undefined } | null;
}

/** A person-readable message for a failed Better Auth call (e.g. the ban reason), or null on success. */
export function authErrorMessage(result: AuthResult, fallback: string): string | null {
  if (!result.error) return null;
  const { message, status } = result.error;
  if (status === 429) return "Too many attempts. Wait a minute and try again.";
  if (message) return /[.!?]$/.test(message) ? message : `${message}.`;
  if (status === 0 || status === undefined) return "Could not reach the server. Check your connection and try again.";
  return fallback;
}
