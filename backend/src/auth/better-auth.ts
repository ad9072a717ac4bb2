import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin, bearer, jwt } from "better-auth/plugins";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { account, jwks, session, user, verification } from "../db/schema.ts";
import { applyAdminEmails } from "./admin-emails.ts";
import { createPasswordHasher, isLegacyHash } from "./password.ts";
import type { RevocationList } from "./revocation.ts";

/** The header through which the bridge tells Better Auth the client address Fastify resolved. */
export const CLIENT_IP_HEADER = "x-doable-client-ip";

function banMessage(u: { banReason?: string | null; banExpires?: Date | string | null }): string {
  const reason = u.banReason ? ` Reason: ${u.banReason}.` : "";
  const until = u.banExpires ? ` The ban ends at ${new Date(u.banExpires).toISOString()}.` : "";
  return `Your account has been banned.${reason}${until}`;
}

export function createAuth(config: Config, db: Database, revocations: RevocationList, clock: Clock) {
  const hasher = createPasswordHasher(config.passwordHashConcurrency);
  const verifyPassword = async (data: { hash: string; password: string }) => {
    const valid = await hasher.verify(data);
    // A hash from before Better Auth's format is rewritten in it on the first
    // sign-in, so that other Better Auth apps on this database accept it too.
    if (valid && isLegacyHash(data.hash)) {
      await db.query(`UPDATE account SET password = $1 WHERE "providerId" = 'credential' AND password = $2`, [
        await hasher.hash(data.password),
        data.hash,
      ]);
    }
    return valid;
  };
  return betterAuth({
    appName: "Doable",
    baseURL: config.publicUrl,
    basePath: "/api/auth",
    secret: config.authSecret,
    database: drizzleAdapter(db.drizzle, { provider: "pg", schema: { user, session, account, verification, jwks } }),
    trustedOrigins: [config.publicUrl, ...config.corsOrigins],
    telemetry: { enabled: false },
    // Rate limits are Doable's own (per IP and per account, shared store when scaled out).
    rateLimit: { enabled: false },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      password: { hash: hasher.hash, verify: verifyPassword },
    },
    advanced: {
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      useSecureCookies: config.publicUrl.startsWith("https:"),
    },
    databaseHooks: {
      user: {
        create: {
          after: async (created) => {
            await applyAdminEmails(db, config.adminEmails, created.id);
          },
        },
      },
      account: {
        update: {
          // A password change or reset makes every token issued before it fail.
          after: async (changed) => {
            if (changed.providerId === "credential" && changed.password) {
              await revocations.revoke(db, changed.userId, "password_changed");
            }
          },
        },
      },
    },
    plugins: [
      jwt({
        jwks: { keyPairConfig: { alg: "EdDSA", crv: "Ed25519" } },
        jwt: {
          issuer: config.publicUrl,
          audience: config.publicUrl,
          expirationTime: `${config.jwtExpiresInSeconds}s`,
          // Keep tokens small: the subject and the role, nothing else. `iat` keeps its milliseconds
          // (a NumericDate may have a fraction): revocation compares it with the time of a ban or
          // password change, and whole seconds would refuse a token minted just after an unban.
          definePayload: ({ user: u }) => ({ role: u.role === "admin" ? "admin" : "user", iat: clock() / 1000 }),
        },
      }),
      bearer(),
      admin({ defaultRole: "user", adminRoles: ["admin"], bannedUserMessage: banMessage }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;
