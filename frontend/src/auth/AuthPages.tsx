import { type FormEvent, useState } from "react";
import { Link, navigate, useLocation } from "../router";
import { Field } from "../ui/Field";
import { useAuth } from "./AuthProvider";

/** Only same-site paths are followed after sign-in (no open redirects). */
export function safeNext(search: string): string {
  const next = new URLSearchParams(search).get("next") ?? "/";
  return next.startsWith("/") && !next.startsWith("//") && !next.startsWith("/sign-") ? next : "/";
}

interface Errors {
  name?: string;
  email?: string;
  password?: string;
}

function validate(mode: "signIn" | "signUp", name: string, email: string, password: string): Errors {
  const e: Errors = {};
  if (mode === "signUp" && !name.trim()) e.name = "Enter your name.";
  if (!/^[^\s@]+@[^\s@]+$/.test(email.trim())) e.email = "Enter a valid email address, like name@example.com.";
  if (!password) e.password = "Enter your password.";
  else if (mode === "signUp" && (password.length < 8 || password.length > 128)) e.password = "Use 8 to 128 characters.";
  return e;
}

export function AuthPage({ mode }: { mode: "signIn" | "signUp" }) {
  const auth = useAuth();
  const { search } = useLocation();
  const [name, setName] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<Errors>({});
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const signUp = mode === "signUp";
  const banner = auth.state.status === "signedOut" ? auth.state : null;
  const nextQuery = search.includes("next=") ? `?next=${encodeURIComponent(safeNext(search))}` : "";

  async function submit(e: FormEvent) {
    e.preventDefault();
    const found = validate(mode, name, email, password);
    setErrors(found);
    setFailure(null);
    const first = Object.keys(found)[0];
    if (first) {
      document.getElementById(`auth-${first}`)?.focus();
      return;
    }
    setBusy(true);
    const message = signUp ? await auth.signUp(name.trim(), email.trim(), password) : await auth.signIn(email.trim(), password);
    setBusy(false);
    if (message) {
      setFailure(message);
      return;
    }
    navigate(safeNext(search), { replace: true });
  }

  return (
    <div className="auth-page">
      <h1>{signUp ? "Create your Doable account" : "Sign in to Doable"}</h1>
      {banner?.message && !failure ? (
        <p className={banner.tone === "error" ? "form-error" : "notice"} role={banner.tone === "error" ? "alert" : "status"}>
          {banner.message}
        </p>
      ) : null}
      {failure ? (
        <p className="form-error" role="alert">
          {failure}
        </p>
      ) : null}
      <form onSubmit={submit} noValidate className="card auth-form">
        {signUp ? (
          <Field label="Name" error={errors.name}>
            <input id="auth-name" value={name} onChange={(e) => setName(e.target.value)} autoComplete="name" required />
          </Field>
        ) : null}
        <Field label="Email" error={errors.email}>
          <input id="auth-email" type="email" value={email} onChange={(e) => setEmail(e.target.value)} autoComplete="email" required />
        </Field>
        <Field label="Password" error={errors.password} hint={signUp ? "8 to 128 characters." : undefined}>
          <input
            id="auth-password"
            type="password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            autoComplete={signUp ? "new-password" : "current-password"}
            required
          />
        </Field>
        <button type="submit" className="primary wide" disabled={busy}>
          {busy ? (signUp ? "Creating account…" : "Signing in…") : signUp ? "Create account" : "Sign in"}
        </button>
      </form>
      <p className="switch">
        {signUp ? (
          <>
            Already have an account? <Link to={`/sign-in${nextQuery}`}>Sign in</Link>
          </>
        ) : (
          <>
            New to Doable? <Link to={`/sign-up${nextQuery}`}>Create an account</Link>
          </>
        )}
      </p>
    </div>
  );
}
