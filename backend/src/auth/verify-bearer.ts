import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from "jose";
import { LRUCache } from "lru-cache";
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { unauthorized } from "../domain/errors.ts";
import type { RevocationList } from "./revocation.ts";

export interface Actor {
  id: string;
  /** The role claimed by the token; admin routes re-read it from the database. */
  role: "user" | "admin";
}

interface Verified {
  actor: Actor;
  issuedAt: number;
  expiresAt: number;
}

const CLOCK_TOLERANCE_SECONDS = 5;
const KEY_RELOAD_INTERVAL_MS = 5_000;
const ASYMMETRIC = ["EdDSA", "ES256", "ES512", "RS256", "PS256"];
const jwtShape = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Stateless bearer verification. Each algorithm is bound to one key source
 * (EdDSA etc. → a JWKS, HS256 → JWT_SECRET), so a token can never pick the
 * key that verifies it. A token already verified is served from a cache (a
 * map lookup plus the expiry and revocation checks).
 */
export class TokenVerifier {
  private readonly cache = new LRUCache<string, Verified>({ max: 50_000 });
  private readonly knownUsers = new LRUCache<string, true>({ max: 100_000, ttl: 5 * 60_000 });
  private localKeys: JWTVerifyGetKey | null = null;
  private localKids = new Set<string>();
  private lastKeyLoad = 0;
  private loading: Promise<void> | null = null;
  private readonly remoteKeys: JWTVerifyGetKey | null;
  private readonly secret: Uint8Array | null;

  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly revocations: RevocationList,
    private readonly clock: Clock,
  ) {
    this.remoteKeys = config.jwtJwks
      ? createRemoteJWKSet(new URL(config.jwtJwks.url), { cooldownDuration: KEY_RELOAD_INTERVAL_MS, timeoutDuration: 3_000 })
      : null;
    this.secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : null;
  }

  async verify(authorization: string | undefined): Promise<Actor> {
    if (!authorization) throw unauthorized("Send Authorization: Bearer <JWT from GET /api/auth/token>.");
    const match = /^Bearer +(\S+)$/i.exec(authorization);
    const token = match?.[1];
    if (!token) throw unauthorized("The Authorization header must be 'Bearer <JWT>'.");
    const now = this.clock() / 1000;

    let verified = this.cache.get(token);
    if (!verified) {
      verified = await this.verifyFresh(token);
      this.cache.set(token, verified, { ttl: Math.max(1, (verified.expiresAt + CLOCK_TOLERANCE_SECONDS - now) * 1000) });
    }
    if (verified.expiresAt + CLOCK_TOLERANCE_SECONDS < now) throw unauthorized("The token has expired.");
    if (this.revocations.isRevoked(verified.actor.id, verified.issuedAt)) {
      throw unauthorized("The token has been revoked; sign in again.");
    }
    return verified.actor;
  }

  private async verifyFresh(token: string): Promise<Verified> {
    if (token.length > 8192 || !jwtShape.test(token)) throw unauthorized("The bearer token is not a JWT.");
    let alg: string | undefined;
    let kid: string | undefined;
    try {
      ({ alg, kid } = decodeProtectedHeader(token));
    } catch {
      throw unauthorized("The bearer token is not a JWT.");
    }

    let payload: JWTPayload;
    let external = false;
    const currentDate = new Date(this.clock());
    try {
      if (alg === "HS256" && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, {
          algorithms: ["HS256"],
          issuer: this.config.publicUrl,
          audience: this.config.publicUrl,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate,
          requiredClaims: ["exp", "iat", "sub"],
        }));
        external = true;
      } else if (alg === "EdDSA" && !this.claimsExternalIssuer(token) && (kid === undefined || (await this.hasLocalKey(kid)))) {
        ({ payload } = await jwtVerify(token, this.localKeySet(), {
          algorithms: ["EdDSA"],
          issuer: this.config.publicUrl,
          audience: this.config.publicUrl,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate,
          requiredClaims: ["exp", "iat", "sub"],
        }));
      } else if (alg && ASYMMETRIC.includes(alg) && this.remoteKeys && this.config.jwtJwks) {
        ({ payload } = await jwtVerify(token, this.remoteKeys, {
          algorithms: ASYMMETRIC,
          issuer: this.config.jwtJwks.issuer,
          audience: this.config.jwtJwks.audience,
          clockTolerance: CLOCK_TOLERANCE_SECONDS,
          currentDate,
          requiredClaims: ["exp", "iat", "sub"],
        }));
        external = true;
      } else {
        throw new Error("no key source for this algorithm");
      }
    } catch {
      throw unauthorized("The bearer token is invalid or expired.");
    }

    const sub = payload.sub;
    if (typeof sub !== "string" || sub.length === 0 || sub.length > 255) throw unauthorized("The token has no valid subject.");
    // Tokens minted elsewhere may name a user this database never had.
    if (external && !(await this.userExists(sub))) throw unauthorized("The token's user does not exist.");
    return {
      actor: { id: sub, role: payload.role === "admin" ? "admin" : "user" },
      issuedAt: typeof payload.iat === "number" ? payload.iat : 0,
      expiresAt: typeof payload.exp === "number" ? payload.exp : 0,
    };
  }

  /**
   * A Better Auth app sharing the database signs with the keys of the shared
   * `jwks` table, so its tokens name keys Doable holds too; they claim its
   * issuer, and are verified against its JWKS like any external token (a
   * key of this server's own set never speaks for another issuer).
   */
  private claimsExternalIssuer(token: string): boolean {
    if (!this.config.jwtJwks) return false;
    try {
      return decodeJwt(token).iss === this.config.jwtJwks.issuer;
    } catch {
      return false;
    }
  }

  private localKeySet(): JWTVerifyGetKey {
    if (!this.localKeys) throw new Error("keys not loaded");
    return this.localKeys;
  }

  /** Loads the built-in Better Auth public keys; an unknown kid reloads them, at most every few seconds. */
  private async hasLocalKey(kid: string): Promise<boolean> {
    if (this.localKids.has(kid)) return true;
    if (Date.now() - this.lastKeyLoad < KEY_RELOAD_INTERVAL_MS && this.localKeys) return false;
    this.loading ??= this.loadLocalKeys().finally(() => {
      this.loading = null;
    });
    await this.loading;
    return this.localKids.has(kid);
  }

  private async loadLocalKeys(): Promise<void> {
    const rows = await this.db.query<{ id: string; publicKey: string; alg: string | null; crv: string | null }>(
      'SELECT id, "publicKey", alg, crv FROM jwks WHERE "expiresAt" IS NULL OR "expiresAt" > now()',
      [],
      "jwks_public",
    );
    const keys: JSONWebKeySet["keys"] = [];
    for (const row of rows) {
      try {
        const jwk = JSON.parse(row.publicKey) as JSONWebKeySet["keys"][number];
        keys.push({ ...jwk, kid: row.id, alg: row.alg ?? "EdDSA", ...(row.crv ? { crv: row.crv } : {}) });
      } catch {
        // A key row that does not parse can verify nothing; skip it.
      }
    }
    this.localKeys = createLocalJWKSet({ keys });
    this.localKids = new Set(keys.map((k) => k.kid as string));
    this.lastKeyLoad = Date.now();
  }

  private async userExists(id: string): Promise<boolean> {
    if (this.knownUsers.has(id)) return true;
    const rows = await this.db.query<{ id: string }>('SELECT id FROM "user" WHERE id = $1', [id], "user_exists");
    if (rows.length > 0) this.knownUsers.set(id, true);
    return rows.length > 0;
  }
}
