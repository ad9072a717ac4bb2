import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import pg from "pg";
import type { DestinationStream } from "pino";
import { type App, buildApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";

export type Env = Record<string, string | undefined>;

/**
 * A database of this test file's own: in-memory PGlite, or, when
 * TEST_DATABASE_URL is set, a fresh database on that PostgreSQL server
 * (dropped by `drop`).
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const server = process.env.TEST_DATABASE_URL;
  if (!server) return { url: "memory://", drop: async () => {} };
  const name = `doable_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: server });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const usingPostgres = () => Boolean(process.env.TEST_DATABASE_URL);

/**
 * The app's clock in tests: the real time plus however far the test has
 * moved it, so a test that needs "a second later" says so instead of sleeping.
 */
export class TestClock {
  private offsetMs = 0;
  private frozenAt: number | null = null;
  readonly now = (): number => this.frozenAt ?? Date.now() + this.offsetMs;
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }
  /** Stops the clock at `ms` (until `advance` or another `freeze`): "now" at the edge of a day, exactly. */
  freeze(ms: number): void {
    this.frozenAt = ms;
  }
}

export interface TestApp {
  app: App;
  logs: string[];
  databaseUrl: string;
  clock: TestClock;
  close(): Promise<void>;
}

/** Builds the app on its own database with test-friendly settings; `env` overrides them. */
export async function startApp(env: Env = {}, existingDatabaseUrl?: string, logStream?: DestinationStream): Promise<TestApp> {
  const database = existingDatabaseUrl ? { url: existingDatabaseUrl, drop: async () => {} } : await createTestDatabase();
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const config = loadConfig({
    NODE_ENV: "test",
    DATABASE_URL: database.url,
    LOG_LEVEL: "info",
    RATE_LIMIT: "off",
    STATIC_DIR: "off",
    BETTER_AUTH_SECRET: "test-secret-test-secret-test-secret-0123",
    ...env,
  });
  const clock = new TestClock();
  const app = await buildApp(config, { logStream: logStream ?? stream, clock: clock.now });
  return {
    app,
    logs,
    databaseUrl: database.url,
    clock,
    async close() {
      await app.close();
      await database.drop();
    },
  };
}

export const ORIGIN = "http://127.0.0.1:3000";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  sessionToken: string;
  jwt: string;
  auth: { authorization: string };
}

let counter = 0;
export function uniqueEmail(prefix = "user"): string {
  counter++;
  return `${prefix}-${counter}-${randomBytes(3).toString("hex")}@example.com`;
}

/** Signs up through Better Auth and fetches a JWT, as a client would. */
export async function signUp(app: App, options: { email?: string; password?: string; name?: string } = {}): Promise<TestUser> {
  const email = options.email ?? uniqueEmail();
  const password = options.password ?? "correct horse battery";
  const res = await app.inject({
    method: "POST",
    url: "/api/auth/sign-up/email",
    headers: { origin: ORIGIN },
    payload: { email, password, name: options.name ?? email.split("@")[0] },
  });
  if (res.statusCode !== 200) throw new Error(`sign-up failed: ${res.statusCode} ${res.body}`);
  const sessionToken = String(res.headers["set-auth-token"]);
  const id = (res.json() as { user: { id: string } }).user.id;
  const jwt = await tokenFor(app, sessionToken);
  return { id, email, password, sessionToken, jwt, auth: { authorization: `Bearer ${jwt}` } };
}

export const FACTORY_PASSWORD = "factory password 1";
const factoryHashes = new WeakMap<App, Promise<string>>();

/**
 * A user made directly, for tests that are not about signing up: the user,
 * a credential account and a session are written through Better Auth's own
 * internal adapter (so they follow its schema and its hooks, ADMIN_EMAILS
 * included), and the JWT comes from GET /api/auth/token as a client's would.
 * Every such user has FACTORY_PASSWORD, hashed once per app: a sign-up would
 * hash a password each time (scrypt: slow, and the suite makes dozens).
 */
export async function createUser(app: App, options: { email?: string; name?: string } = {}): Promise<TestUser> {
  const email = options.email ?? uniqueEmail();
  const auth = await app.ctx.auth.$context;
  let hash = factoryHashes.get(app);
  if (!hash) {
    hash = auth.password.hash(FACTORY_PASSWORD);
    factoryHashes.set(app, hash);
  }
  const user = await auth.internalAdapter.createUser(
    { email, name: options.name ?? email.split("@")[0] ?? email, emailVerified: false },
    { method: "email-password" },
  );
  await auth.internalAdapter.linkAccount({ userId: user.id, providerId: "credential", accountId: user.id, password: await hash });
  const session = await auth.internalAdapter.createSession(user.id);
  const jwt = await tokenFor(app, session.token);
  return { id: user.id, email, password: FACTORY_PASSWORD, sessionToken: session.token, jwt, auth: { authorization: `Bearer ${jwt}` } };
}

export async function signIn(app: App, email: string, password: string) {
  return app.inject({ method: "POST", url: "/api/auth/sign-in/email", headers: { origin: ORIGIN }, payload: { email, password } });
}

export async function tokenFor(app: App, sessionToken: string): Promise<string> {
  const res = await app.inject({ method: "GET", url: "/api/auth/token", headers: { authorization: `Bearer ${sessionToken}` } });
  if (res.statusCode !== 200) throw new Error(`token failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { token: string }).token;
}

/** Makes `user` an admin the way an operator would (SQL, like `npm run admin -- promote`), and returns a fresh JWT. */
export async function promote(app: App, user: TestUser): Promise<TestUser> {
  await app.ctx.db.query(`UPDATE "user" SET role = 'admin' WHERE id = $1`, [user.id]);
  const jwt = await tokenFor(app, user.sessionToken);
  return { ...user, jwt, auth: { authorization: `Bearer ${jwt}` } };
}

export function assertProblem(
  res: { statusCode: number; headers: Record<string, unknown>; json(): unknown },
  status: number,
  code: string,
): { detail: string; errors?: { field: string; message: string }[]; request_id: string } {
  if (res.statusCode !== status) throw new Error(`expected ${status} ${code}, got ${res.statusCode}: ${JSON.stringify(res.json())}`);
  const type = String(res.headers["content-type"]);
  if (!type.startsWith("application/problem+json")) throw new Error(`expected problem+json, got ${type}`);
  const body = res.json() as Record<string, unknown>;
  for (const field of ["type", "title", "status", "detail", "code", "request_id"]) {
    if (!(field in body)) throw new Error(`problem lacks ${field}: ${JSON.stringify(body)}`);
  }
  if (body.status !== status || body.code !== code) throw new Error(`problem mismatch: ${JSON.stringify(body)}`);
  if (body.request_id !== res.headers["x-request-id"]) throw new Error("request_id differs from X-Request-Id");
  return body as never;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
