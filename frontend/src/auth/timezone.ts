import { useContext } from "react";
import { browserTimeZone } from "../tasks/zone";
import { AuthContext } from "./AuthProvider";

/**
 * The signed-in user's time zone (Settings), in which every time is shown and entered; the
 * browser's outside a session (or in a component rendered on its own in a test).
 */
export function useTimeZone(): string {
  const auth = useContext(AuthContext);
  return auth?.state.status === "signedIn" ? auth.state.me.timezone : browserTimeZone();
}
