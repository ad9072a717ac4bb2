import { type QueryClient, useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import { api, ok } from "../api/client";
import type { Me } from "../api/openapi";
import { messageOf } from "../api/problem";
import { AuthLostError } from "../api/token";
import { navigate } from "../router";
import { browserTimeZone } from "../tasks/zone";
import { authClient, authErrorMessage } from "./authClient";
import { meQuery } from "./me";

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

/** What the page knows without asking the server: signed out (and why), or possibly signed in (`/api/me` tells). */
type Session = { status: "open" } | Extract<AuthState, { status: "signedOut" }>;

export const AuthContext = createContext<AuthContextValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [session, setSession] = useState<Session>({ status: "open" });
  const signedOut = session.status === "signedOut";
  const me = useQuery({ ...meQuery, enabled: !signedOut });

  const state = useMemo<AuthState>(() => {
    if (session.status === "signedOut") return session;
    if (me.data) return { status: "signedIn", me: me.data };
    // Signed out for lack of a session is reported by the auth-lost listener; anything else (the server is down) is shown.
    if (me.error && !(me.error instanceof AuthLostError)) return { status: "signedOut", message: messageOf(me.error), tone: "error" };
    return { status: "checking" };
  }, [session, me.data, me.error]);
  const stateRef = useRef(state);
  stateRef.current = state;

  // Someone else signed in with this browser (another tab): start afresh as them.
  const shownUser = useRef<string | null>(null);
  useEffect(() => {
    const id = me.data?.id ?? null;
    if (id && shownUser.current && shownUser.current !== id) location.assign("/");
    if (id) shownUser.current = id;
  }, [me.data?.id]);

  // Once signed out, nothing of the account stays in memory for the next one.
  useEffect(() => {
    if (!signedOut) return;
    shownUser.current = null;
    queryClient.clear();
  }, [signedOut, queryClient]);

  // A 401 that survives a token refresh, or no session at all: back to sign-in, with a message if the user was in.
  useEffect(
    () =>
      api.onAuthLost((message) => {
        const wasSignedIn = stateRef.current.status === "signedIn";
        // Several requests may find out at once; the first says why.
        setSession((s) => (s.status === "signedOut" ? s : { status: "signedOut", message: wasSignedIn ? message : null, tone: "error" }));
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
        setSession({ status: "signedOut", message: "You signed out in another tab.", tone: "info" });
        navigate("/sign-in", { replace: true });
      } else if (e.data === "signed-in") {
        api.tokens.clear();
        setSession({ status: "open" });
        void queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
      }
    };
    return () => {
      channel.current = null;
      ch.close();
    };
  }, [queryClient]);

  const afterAuth = useCallback(
    async (newAccount = false): Promise<string | null> => {
      api.tokens.clear();
      try {
        await queryClient.fetchQuery(meQuery);
        if (newAccount) await adoptBrowserTimeZone(queryClient);
      } catch (err) {
        return err instanceof AuthLostError ? "Signed in, but the session could not be used. Try again." : messageOf(err);
      }
      setSession({ status: "open" });
      channel.current?.postMessage("signed-in");
      return null;
    },
    [queryClient],
  );

  const value = useMemo<AuthContextValue>(
    () => ({
      state,
      async signIn(email, password) {
        const res = await authClient.signIn.email({ email, password }).catch(() => ({ error: { status: 0 } }));
        return authErrorMessage(res, "Sign-in failed. Check your email and password.") ?? afterAuth();
      },
      async signUp(name, email, password) {
        const res = await authClient.signUp.email({ name, email, password }).catch(() => ({ error: { status: 0 } }));
        return authErrorMessage(res, "Sign-up failed. Try again.") ?? afterAuth(true);
      },
      async signOut() {
        await authClient.signOut().catch(() => undefined);
        api.tokens.clear();
        channel.current?.postMessage("signed-out");
        setSession({ status: "signedOut", message: "You have signed out.", tone: "info" });
        navigate("/sign-in", { replace: true });
      },
      async refreshMe() {
        await queryClient.invalidateQueries({ queryKey: meQuery.queryKey });
      },
    }),
    [state, afterAuth, queryClient],
  );

  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

/**
 * A new account starts in the browser's time zone (the server's default is UTC), so that the
 * times it enters mean what the person sees on their clock; Settings changes it. A refusal
 * leaves UTC, which Settings shows.
 */
async function adoptBrowserTimeZone(queryClient: QueryClient): Promise<void> {
  const timezone = browserTimeZone();
  const me = queryClient.getQueryData(meQuery.queryKey);
  if (!me || me.timezone === timezone) return;
  try {
    const { data } = await ok(api.client.PATCH("/api/me", { body: { timezone } }));
    queryClient.setQueryData(meQuery.queryKey, data);
  } catch {
    // Not fatal: the account keeps UTC.
  }
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
