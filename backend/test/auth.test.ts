import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createAuthClient } from "better-auth/client";
import { jwtClient } from "better-auth/client/plugins";
import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT } from "jose";
import { assertProblem, ORIGIN, signIn, signUp, startApp, type TestApp, type TestUser, tokenFor, uniqueEmail } from "./helpers.ts";

const backendDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
let t: TestApp;
let alice: TestUser;

before(async () => {
  t = await startApp();
  alice = await signUp(t.app);
});
after(() => t.close());

const payloadOf = (jwt: string) => JSON.parse(Buffer.from(jwt.split(".")[1] as string, "base64url").toString()) as Record<string, unknown>;

test("the official Better Auth client signs up, signs in and gets a JWT that verifies against the JWKS alone", async () => {
  const address = await t.app.listen({ host: "127.0.0.1", port: 0 });
  try {
    const client = createAuthClient({
      baseURL: `${address}/api/auth`,
      plugins: [jwtClient()],
      fetchOptions: { headers: { origin: ORIGIN } },
    });
    const email = uniqueEmail("client");
    const signedUp = await client.signUp.email({ email, password: "client password 1", name: "Client" });
    assert.equal(signedUp.error, null, JSON.stringify(signedUp.error));
    const signedIn = await client.signIn.email({ email, password: "client password 1" });
    assert.equal(signedIn.error, null);
    const session = String(signedIn.data?.token);
    const res = await fetch(`${address}/api/auth/token`, { headers: { authorization: `Bearer ${session}`, origin: ORIGIN } });
    const { token } = (await res.json()) as { token: string };
    const jwks = createRemoteJWKSet(new URL(`${address}/api/auth/jwks`));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, { issuer: ORIGIN, audience: ORIGIN });
    assert.equal(protectedHeader.alg, "EdDSA");
    assert.equal(payload.sub, signedIn.data?.user.id);
    assert.deepEqual(Object.keys(payload).sort(), ["aud", "exp", "iat", "iss", "role", "sub"], "the payload is small");
    // iat keeps its milliseconds (revocation compares them), so the difference is 900 s to the millisecond.
    assert.equal(Math.round(((payload.exp as number) - (payload.iat as number)) * 1000), 900_000, "15 minutes");
    const me = await fetch(`${address}/api/me`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(((await me.json()) as { email: string }).email, email);
  } finally {
    await t.app.server.close();
  }
});

test("the web app's session probe: get-session is 200 null without a session, and with one carries a JWT for the API", async () => {
  // The web app takes its API token from here rather than from GET /api/auth/token, whose 401 for a
  // signed-out visitor the browser logs as an error.
  const anonymous = await t.app.inject({ method: "GET", url: "/api/auth/get-session" });
  assert.equal(anonymous.statusCode, 200);
  assert.equal(anonymous.body, "null");
  assert.equal(anonymous.headers["set-auth-jwt"], undefined);

  const signedUp = await t.app.inject({
    method: "POST",
    url: "/api/auth/sign-up/email",
    headers: { origin: ORIGIN },
    payload: { email: uniqueEmail("probe"), password: "correct horse battery", name: "Probe" },
  });
  const cookie = [signedUp.headers["set-cookie"] ?? []]
    .flat()
    .map((c) => c.split(";")[0])
    .join("; ");
  assert.match(cookie, /session_token=/);
  const probe = await t.app.inject({ method: "GET", url: "/api/auth/get-session", headers: { cookie } });
  assert.equal(probe.statusCode, 200);
  const session = probe.json() as { user: { id: string }; session: Record<string, unknown> };
  assert.equal(session.user.id, (signedUp.json() as { user: { id: string } }).user.id);
  assert.equal(session.session.token, undefined, "the session token stays in its httpOnly cookie");
  const jwt = probe.headers["set-auth-jwt"];
  assert.equal(typeof jwt, "string");
  const me = await t.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${jwt}` } });
  assert.equal(me.statusCode, 200);
  assert.equal((me.json() as { id: string }).id, session.user.id);
});

test("GET /api/me returns exactly the caller's public fields", async () => {
  const res = await t.app.inject({ method: "GET", url: "/api/me", headers: alice.auth });
  assert.equal(res.statusCode, 200);
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ["id", "email", "name", "role", "created_at", "timezone"]);
  assert.equal(body.timezone, "UTC", "until the user picks one");
  assert.equal(body.id, alice.id);
  assert.equal(body.email, alice.email);
  assert.equal(body.role, "user");
  assert.match(String(body.created_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
});

describe("bearer verification refuses bad tokens with 401 problem+json", () => {
  const now = () => Math.floor(Date.now() / 1000);
  const sign = async (claims: Record<string, unknown>, key: Parameters<SignJWT["sign"]>[0], header: Record<string, unknown>) =>
    new SignJWT(claims).setProtectedHeader(header as never).sign(key);

  const cases: [string, () => Promise<string | undefined>][] = [
    ["no header", async () => undefined],
    ["malformed header", async () => `Token ${alice.jwt}`],
    ["garbage", async () => "Bearer not-a-jwt"],
    [
      "alg none",
      async () => {
        const h = Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url");
        const p = Buffer.from(JSON.stringify({ ...payloadOf(alice.jwt), exp: now() + 600 })).toString("base64url");
        return `Bearer ${h}.${p}.`;
      },
    ],
    [
      "HS256 signed with the public key",
      async () => {
        const jwks = (await t.app.inject({ method: "GET", url: "/api/auth/jwks" })).json() as { keys: { x: string; kid: string }[] };
        const key = jwks.keys[0] as { x: string; kid: string };
        return `Bearer ${await sign(payloadOf(alice.jwt), new TextEncoder().encode(JSON.stringify(key)), { alg: "HS256", kid: key.kid })}`;
      },
    ],
    [
      "HS256 with another secret",
      async () => `Bearer ${await sign(payloadOf(alice.jwt), new TextEncoder().encode("x".repeat(40)), { alg: "HS256" })}`,
    ],
    [
      "wrong signature",
      async () => {
        const [h, p, s] = alice.jwt.split(".") as [string, string, string];
        return `Bearer ${h}.${p}.${s.slice(0, -4)}${s.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`;
      },
    ],
    [
      "same kid, another key",
      async () => {
        const { kid } = JSON.parse(Buffer.from(alice.jwt.split(".")[0] as string, "base64url").toString()) as { kid: string };
        const { privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519" });
        return `Bearer ${await sign(payloadOf(alice.jwt), privateKey, { alg: "EdDSA", kid })}`;
      },
    ],
    ["expired", async () => `Bearer ${await forge({ iat: now() - 3600, exp: now() - 60 })}`],
    ["not yet valid", async () => `Bearer ${await forge({ nbf: now() + 600 })}`],
    ["wrong issuer", async () => `Bearer ${await forge({ iss: "https://evil.example" })}`],
    ["wrong audience", async () => `Bearer ${await forge({ aud: "https://evil.example" })}`],
    ["a session token instead of a JWT", async () => `Bearer ${alice.sessionToken}`],
  ];

  /** A token signed by the server's own key (Better Auth's server-only signJWT), with claims changed: only the claim should make it fail. */
  let forge: (claims: Record<string, unknown>) => Promise<string>;
  before(async () => {
    forge = async (claims) => {
      const { token } = await t.app.ctx.auth.api.signJWT({
        body: { payload: { sub: alice.id, role: "user", iat: now(), exp: now() + 600, iss: ORIGIN, aud: ORIGIN, ...claims } },
      });
      return token;
    };
    // The control: a forged token with correct claims is accepted, so each case below fails for its own reason.
    const ok = await t.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${await forge({})}` } });
    assert.equal(ok.statusCode, 200);
  });

  for (const [name, make] of cases) {
    test(name, async () => {
      const header = await make();
      const res = await t.app.inject({ method: "GET", url: "/api/tasks", headers: header ? { authorization: header } : {} });
      assertProblem(res, 401, "unauthorized");
      assert.match(String(res.headers["www-authenticate"]), /^Bearer/);
    });
  }

  test("token of a deleted user", async () => {
    const doomed = await signUp(t.app);
    await t.app.ctx.db.query(`DELETE FROM "user" WHERE id = $1`, [doomed.id]);
    const res = await t.app.inject({ method: "POST", url: "/api/tasks", headers: doomed.auth, payload: { title: "ghost" } });
    assertProblem(res, 401, "unauthorized");
  });
});

describe("other token sources", () => {
  test("JWT_SECRET: HS256 tokens for existing users are accepted beside EdDSA; anything else signed is not", async () => {
    const secret = "shared-secret-shared-secret-shared-secret";
    const s = await startApp({ JWT_SECRET: secret });
    try {
      const bob = await signUp(s.app);
      const now = Math.floor(Date.now() / 1000);
      const hs = (key: string, sub = bob.id) =>
        new SignJWT({ role: "user" })
          .setProtectedHeader({ alg: "HS256" })
          .setSubject(sub)
          .setIssuedAt(now)
          .setExpirationTime(now + 300)
          .setIssuer(ORIGIN)
          .setAudience(ORIGIN)
          .sign(new TextEncoder().encode(key));
      const ok = await s.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${await hs(secret)}` } });
      assert.equal(ok.statusCode, 200);
      assert.equal((ok.json() as { id: string }).id, bob.id);
      const builtIn = await s.app.inject({ method: "GET", url: "/api/me", headers: bob.auth });
      assert.equal(builtIn.statusCode, 200, "EdDSA tokens still work");
      assertProblem(
        await s.app.inject({
          method: "GET",
          url: "/api/me",
          headers: { authorization: `Bearer ${await hs("another-secret-another-secret-another")}` },
        }),
        401,
        "unauthorized",
      );
      const jwks = (await s.app.inject({ method: "GET", url: "/api/auth/jwks" })).body;
      assertProblem(
        await s.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${await hs(jwks)}` } }),
        401,
        "unauthorized",
      );
      assertProblem(
        await s.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${await hs(secret, "no-such-user")}` } }),
        401,
        "unauthorized",
      );
    } finally {
      await s.close();
    }
  });

  test("JWT_JWKS_URL: tokens from an external Better Auth verify against its JWKS", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid: "external-1", alg: "ES256" };
    const jwksServer: Server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
    const port = (jwksServer.address() as AddressInfo).port;
    const issuer = `http://127.0.0.1:${port}`;
    const s = await startApp({ JWT_JWKS_URL: `${issuer}/api/auth/jwks` });
    try {
      const carol = await signUp(s.app);
      const now = Math.floor(Date.now() / 1000);
      const external = await new SignJWT({})
        .setProtectedHeader({ alg: "ES256", kid: "external-1" })
        .setSubject(carol.id)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .setIssuer(issuer)
        .setAudience(issuer)
        .sign(privateKey);
      const ok = await s.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${external}` } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((ok.json() as { id: string }).id, carol.id);
      const { privateKey: other } = await generateKeyPair("ES256");
      const forged = await new SignJWT({})
        .setProtectedHeader({ alg: "ES256", kid: "external-1" })
        .setSubject(carol.id)
        .setIssuedAt(now)
        .setExpirationTime(now + 300)
        .setIssuer(issuer)
        .setAudience(issuer)
        .sign(other);
      assertProblem(
        await s.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${forged}` } }),
        401,
        "unauthorized",
      );
    } finally {
      await s.close();
      jwksServer.close();
    }
  });
});

describe("revocation and bans", () => {
  test("a banned user's JWT stops working and sign-in is refused with the reason and end date", async () => {
    const admin = await signUp(t.app);
    await t.app.ctx.db.query(`UPDATE "user" SET role = 'admin' WHERE id = $1`, [admin.id]);
    const adminJwt = await tokenFor(t.app, admin.sessionToken);
    const dave = await signUp(t.app);
    assert.equal((await t.app.inject({ method: "GET", url: "/api/tasks", headers: dave.auth })).statusCode, 200);
    const until = new Date(Date.now() + 86_400_000).toISOString();
    const ban = await t.app.inject({
      method: "PATCH",
      url: `/api/admin/users/${dave.id}`,
      headers: { authorization: `Bearer ${adminJwt}` },
      payload: { banned: true, ban_reason: "spam", ban_expires_at: until },
    });
    assert.equal(ban.statusCode, 200, ban.body);
    assertProblem(await t.app.inject({ method: "GET", url: "/api/tasks", headers: dave.auth }), 401, "unauthorized");
    const refused = await signIn(t.app, dave.email, dave.password);
    assert.equal(refused.statusCode, 403);
    const body = refused.json() as { detail: string; message: string; code: string };
    assert.equal(body.code, "forbidden");
    assert.match(body.message, /banned/);
    assert.match(body.message, /spam/);
    assert.ok(body.message.includes(until.slice(0, 16)), body.message);
  });

  test("changing the password revokes tokens issued before it", async () => {
    const erin = await signUp(t.app);
    const change = await t.app.inject({
      method: "POST",
      url: "/api/auth/change-password",
      headers: { authorization: `Bearer ${erin.sessionToken}`, origin: ORIGIN },
      payload: { currentPassword: erin.password, newPassword: "a brand new password" },
    });
    assert.equal(change.statusCode, 200, change.body);
    assertProblem(await t.app.inject({ method: "GET", url: "/api/me", headers: erin.auth }), 401, "unauthorized");
    const fresh = await tokenFor(t.app, erin.sessionToken);
    assert.equal((await t.app.inject({ method: "GET", url: "/api/me", headers: { authorization: `Bearer ${fresh}` } })).statusCode, 200);
    assert.equal((await signIn(t.app, erin.email, "a brand new password")).statusCode, 200);
  });

  test("a verified token is served from cache: no database query for authentication", async () => {
    const frank = await signUp(t.app);
    await t.app.inject({ method: "GET", url: "/api/tasks", headers: frank.auth });
    const before = t.app.ctx.db.queryCount;
    const res = await t.app.inject({ method: "GET", url: "/api/tasks", headers: frank.auth });
    assert.equal(res.statusCode, 200);
    // The list itself is one statement; the background revocation poll may add one.
    assert.ok(t.app.ctx.db.queryCount - before <= 2, `queries: ${t.app.ctx.db.queryCount - before}`);
    const meBefore = t.app.ctx.db.queryCount;
    await t.app.inject({ method: "GET", url: "/healthz", headers: frank.auth });
    assert.ok(t.app.ctx.db.queryCount - meBefore <= 1);
  });
});

describe("the first admin", () => {
  test("ADMIN_EMAILS makes an account admin at sign-up", async () => {
    const email = uniqueEmail("boss");
    const s = await startApp({ ADMIN_EMAILS: `someone@else.org, ${email.toUpperCase()}` });
    try {
      const boss = await signUp(s.app, { email });
      const me = await s.app.inject({ method: "GET", url: "/api/me", headers: boss.auth });
      assert.equal((me.json() as { role: string }).role, "admin");
      const other = await signUp(s.app);
      assert.equal(((await s.app.inject({ method: "GET", url: "/api/me", headers: other.auth })).json() as { role: string }).role, "user");
    } finally {
      await s.close();
    }
  });

  test("npm run admin -- promote <email> makes an existing account admin", async () => {
    if (t.databaseUrl === "memory://") {
      // The CLI needs a database another process can open: use an embedded one on disk.
      const dir = await mkdtemp(path.join(tmpdir(), "doable-cli-"));
      const s = await startApp({ DATABASE_URL: undefined, DATA_DIR: dir });
      const gina = await signUp(s.app);
      await s.app.close();
      const run = (args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", "src/cli/admin.ts", ...args], {
          cwd: backendDir,
          env: { ...process.env, DATA_DIR: dir, DATABASE_URL: "", INIT_CWD: backendDir, NODE_ENV: "test" },
          encoding: "utf8",
        });
      const promoted = run(["promote", gina.email]);
      assert.equal(promoted.status, 0, promoted.stderr);
      assert.match(promoted.stdout, /is now an admin/);
      assert.match(run(["list"]).stdout, new RegExp(gina.email.replace(/\./g, "\\.")));
      assert.equal(run(["promote", "nobody@nowhere.example"]).status, 1);
      const refused = run(["demote", gina.email]);
      assert.equal(refused.status, 1, "the last admin is not demoted");
      assert.match(refused.stderr, /last active admin/);
      assert.equal(run(["frobnicate"]).status, 2);
      // The command line writes the API's audit entry (and only for the change it made).
      const again = await startApp({ DATABASE_URL: undefined, DATA_DIR: dir });
      try {
        const entries = await again.app.ctx.db.query<{ actor_id: string; action: string; target_user_id: string; details: unknown }>(
          "SELECT actor_id, action, target_user_id, details FROM audit_log ORDER BY created_at",
        );
        assert.deepEqual(entries, [
          {
            actor_id: "cli",
            action: "user.update",
            target_user_id: gina.id,
            details: { changes: { role: "admin" }, before: { role: "user", banned: false }, via: "cli" },
          },
        ]);
      } finally {
        await again.app.close();
      }
    } else {
      const gina = await signUp(t.app);
      const run = (args: string[]) =>
        spawnSync(process.execPath, ["--import", "tsx", "src/cli/admin.ts", ...args], {
          cwd: backendDir,
          env: { ...process.env, DATABASE_URL: t.databaseUrl, NODE_ENV: "test" },
          encoding: "utf8",
        });
      const promoted = run(["promote", gina.email]);
      assert.equal(promoted.status, 0, promoted.stderr);
      const me = await t.app.inject({ method: "GET", url: "/api/me", headers: gina.auth });
      assert.equal((me.json() as { role: string }).role, "admin");
      const entries = await t.app.ctx.db.query<{ actor_id: string; action: string }>(
        "SELECT actor_id, action FROM audit_log WHERE target_user_id = $1",
        [gina.id],
      );
      assert.deepEqual(entries, [{ actor_id: "cli", action: "user.update" }]);
    }
  });
});

describe("sign-in throttling", () => {
  test("per address and per account, with Retry-After; a spoofed X-Forwarded-For does not reset it", async () => {
    const s = await startApp({ RATE_LIMIT: "on", RATE_LIMIT_AUTH_PER_IP_PER_MINUTE: "5", RATE_LIMIT_AUTH_PER_ACCOUNT: "3" });
    try {
      const attempt = (email: string, ip: string) =>
        s.app.inject({
          method: "POST",
          url: "/api/auth/sign-in/email",
          headers: { origin: ORIGIN, "x-forwarded-for": ip },
          payload: { email, password: "wrong password!" },
          remoteAddress: "10.9.8.7",
        });
      const target = uniqueEmail("target");
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await attempt(target, `1.2.3.${i}`)).statusCode);
      assert.deepEqual(statuses, [401, 401, 401]);
      const limited = await attempt(target, "1.2.3.99");
      const problem = assertProblem(limited, 429, "rate_limited");
      assert.ok(Number(limited.headers["retry-after"]) > 0);
      assert.ok(problem.detail.length > 0);
      // Other accounts from the same (real) address: the per-address budget of 5 is nearly spent.
      assert.equal((await attempt(uniqueEmail(), "5.6.7.8")).statusCode, 401);
      assertProblem(await attempt(uniqueEmail(), "9.9.9.9"), 429, "rate_limited");
    } finally {
      await s.close();
    }
  });
});
