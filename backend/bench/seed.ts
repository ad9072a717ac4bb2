import { randomBytes } from "node:crypto";
import { Pool } from "undici";
import { tagNames } from "./database.ts";
import { forEachParallel, Progress } from "./progress.ts";

export const PASSWORD = "bench-password-0123";

export interface SeededUser {
  id: string;
  email: string;
  sessionToken: string;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** A small JSON client over an undici Pool, for setting up (not for measuring). */
export class ApiClient {
  private readonly pool: Pool;

  constructor(
    readonly origin: string,
    connections: number,
  ) {
    this.pool = new Pool(origin, { connections, pipelining: 1 });
  }

  async send(method: "GET" | "POST", path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
    const res = await this.pool.request({
      method,
      path,
      headers: body === undefined ? headers : { ...headers, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  async expect(status: number, method: "GET" | "POST", path: string, headers: Record<string, string>, body?: unknown): Promise<Reply> {
    const reply = await this.send(method, path, headers, body);
    if (reply.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${reply.status}: ${reply.text.slice(0, 300)}`);
    return reply;
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Signs `count` users up through Better Auth, `concurrency` at a time. */
export async function signUpUsers(
  api: ApiClient,
  count: number,
  concurrency: number,
  label = "sign-ups (API)",
): Promise<{ users: SeededUser[]; seconds: number }> {
  const run = randomBytes(4).toString("hex");
  const users: SeededUser[] = new Array(count);
  const progress = new Progress(label, count);
  await forEachParallel(count, concurrency, async (i) => {
    const email = `bench-${run}-${i}@bench.example.com`;
    const reply = await api.expect(
      200,
      "POST",
      "/api/auth/sign-up/email",
      { origin: api.origin },
      { email, password: PASSWORD, name: `Bench ${i}` },
    );
    const token = reply.headers["set-auth-token"];
    if (typeof token !== "string") throw new Error("sign-up: no set-auth-token header");
    users[i] = { id: (JSON.parse(reply.text) as { user: { id: string } }).user.id, email, sessionToken: token };
    progress.tick();
  });
  return { users, seconds: progress.finish() };
}

/** Exchanges each session for a JWT (GET /api/auth/token), as API clients do. */
export async function fetchJwts(api: ApiClient, users: SeededUser[], concurrency: number): Promise<string[]> {
  const jwts: string[] = new Array(users.length);
  const progress = new Progress("tokens (API)", users.length);
  await forEachParallel(users.length, concurrency, async (i) => {
    const user = users[i] as SeededUser;
    const reply = await api.expect(200, "GET", "/api/auth/token", { authorization: `Bearer ${user.sessionToken}` });
    jwts[i] = (JSON.parse(reply.text) as { token: string }).token;
    progress.tick();
  });
  progress.finish();
  return jwts;
}

const words = ["milk", "report", "dentist", "invoice", "garden", "slides", "car", "taxes", "flights", "budget"];

/** A task body like the bulk SQL's: a title, sometimes a description, a due date, tags. */
export function randomTask(n: number, random: () => number): Record<string, unknown> {
  const body: Record<string, unknown> = {
    title: `Task ${words[Math.floor(random() * words.length)]} #${n}`,
    priority: (["none", "low", "medium", "high"] as const)[Math.floor(random() * 4)],
  };
  if (random() < 0.3) body.description = "Notes: follow up and check the details first";
  if (random() < 0.6) body.due_at = new Date(Date.now() + (random() * 120 - 30) * 86_400_000).toISOString();
  const tagCount = Math.floor(random() * 3);
  if (tagCount > 0) body.tags = Array.from({ length: tagCount }, (_, i) => tagNames[(n + i) % tagNames.length]);
  if (random() < 0.3) body.completed = true;
  return body;
}

/** Creates `perUser` tasks for each user through POST /api/tasks. */
export async function createTasksViaApi(api: ApiClient, jwts: string[], perUser: number, concurrency: number): Promise<number> {
  const total = jwts.length * perUser;
  const progress = new Progress("tasks (API)", total);
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  await forEachParallel(total, concurrency, async (i) => {
    const jwt = jwts[i % jwts.length] as string;
    await api.expect(201, "POST", "/api/tasks", { authorization: `Bearer ${jwt}` }, randomTask(Math.floor(i / jwts.length) + 1, random));
    progress.tick();
  });
  return progress.finish();
}
