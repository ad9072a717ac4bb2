import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { api } from "../api/client";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import type { Me } from "../api/types";
import { navigate } from "../router";
import { authClient, authErrorMessage } from "./authClient";

export type AuthState =
  | { status: "checking" }
  | { status: "signedOut"; message: string | null; tone: "info" | "error" }
  | { status: "signedIn"; me: Me };

interface AuthContextValue {
  state: AuthState;
  signIn(email: string, password: string): Promise<string | null>;
  signUp(name: string, email: string, password: string): Promise<string | null>;
  signOut(): Promise<void>;
  refreshMe(): Promise<void>;
}

const AuthContext = createContext<AuthContextValue | null>(null);

/** How often an open page checks that its access still stands (bans, deletions, demotions). */
export const ACCESS_CHECK_MS = 3_000;

function sameMe(a: Me, b: Me) {
  return a.id === b.id && a.role === b.role && a.name === b.name && a.email === b.email;
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<AuthState>({ status: "checking" });
  const stateRef = useRef(state);
  stateRef.current = state;

  const loadMe = useCallback(async (): Promise<Me | null> => {
    try {
      const me = await api.get<Me>("/api/me");
      const current = stateRef.current;
      if (current.status === "signedIn" && current.me.id !== me.id) {
        // Someone else signed in with this browser (another tab): start afresh as them.
        location.assign("/");
        return me;
      }
      setState((s) => (s.status === "signedIn" && sameMe(s.me, me) ? s : { status: "signedIn", me }));
      return me;
    } catch (err) {
      if (err instanceof AuthLostError) return null; // handled by the auth-lost listener
      throw err;
    }
  }, []);

  // A 401 that survives a token refresh, or a refused token: back to sign-in, with a message.
  useEffect(
    () =>
      api.onAuthLost((message) => {
        const wasSignedIn = stateRef.current.status === "signedIn";
        setState({ status: "signedOut", message: wasSignedIn ? message : null, tone: "error" });
        if (wasSignedIn) {
          void authClient.signOut().catch(() => undefined);
          const here = location.pathname + location.search;
          navigate(here.startsWith("/sign-") ? here : `/sign-in?next=${encodeURIComponent(here)}`, { replace: true });
        }
      }),
    [],
  );

  // Tabs tell each other about sign-in and sign-out, so a tab never keeps working for a signed-out session.
  const channel = useRef<BroadcastChannel | null>(null);
  useEffect(() => {
    if (typeof BroadcastChannel === "undefined") return;
    const ch = new BroadcastChannel("doable-auth");
    channel.current = ch;
    ch.onmessage = (e: MessageEvent<unknown>) => {
      if (e.data === "signed-out" && stateRef.current.status === "signedIn") {
        api.tokens.clear();
        setState({ status: "signedOut", message: "You signed out in another tab.", tone: "info" });
        navigate("/sign-in", { replace: true });
      } else if (e.data === "signed-in") {
        api.tokens.clear();
        loadMe().catch(() => undefined);
      }
    };
    return () => {
      channel.current = null;
      ch.close();
    };
  }, [loadMe]);

  // Who am I, at start-up.
  useEffect(() => {
    loadMe().catch((err: unknown) => setState({ status: "signedOut", message: messageOf(err), tone: "error" }));
  }, [loadMe]);

  // While signed in and visible, check access regularly so a ban or deletion is noticed within seconds.
  const signedIn = state.status === "signedIn";
  useEffect(() => {
    if (!signedIn) return;
    const check = () => {
      if (document.visibilityState === "visible") loadMe().catch(() => undefined);
    };
    const timer = window.setInterval(check, ACCESS_CHECK_MS);
    document.addEventListener("visibilitychange", check);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener("visibilitychange", check);
    };
  }, [signedIn, loadMe]);

  const afterAuth = useCallback(async (): Promise<string | null> => {
    api.tokens.clear();
    try {
      if (!(await loadMe())) return "Signed in, but the session could not be used. Try again.";
      channel.current?.postMessage("signed-in");
      return null;
    } catch (err) {
      return messageOf(err);
    }
  }, [loadMe]);

  const value = useMemo<AuthContextValue>(
    () => ({
      state,
      async signIn(email, password) {
        const res = await authClient.signIn.email({ email, password }).catch(() => ({ error: { status: 0 } }));
        return authErrorMessage(res, "Sign-in failed. Check your email and password.") ?? afterAuth();
      },
      async signUp(name, email, password) {
        const res = await authClient.signUp.email({ name, email, password }).catch(() => ({ error: { status: 0 } }));
        return authErrorMessage(res, "Sign-up failed. Try again.") ?? afterAuth();
      },
      async signOut() {
        await authClient.signOut().catch(() => undefined);
        api.tokens.clear();
        channel.current?.postMessage("signed-out");
        setState({ status: "signedOut", message: "You have signed out.", tone: "info" });
        navigate("/sign-in", { replace: true });
      },
      async refreshMe() {
        await loadMe();
      },
    }),
    [state, afterAuth, loadMe],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthContextValue {
  const ctx = useContext(AuthContext);
  if (!ctx) throw new Error("useAuth outside AuthProvider");
  return ctx;
}

/** The signed-in user; only for components rendered behind the sign-in gate. */
export function useMe(): Me {
  const { state } = useAuth();
  if (state.status !== "signedIn") throw new Error("useMe while not signed in");
  return state.me;
}
