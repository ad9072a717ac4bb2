import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import dotenv from "dotenv";

/** A bad or missing setting: main.ts prints its message as one line and exits 1. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    problem: string,
  ) {
    super(`${variable}: ${problem}`);
  }
}

export type DatabaseTarget = { kind: "pglite"; dir: string | null } | { kind: "pg"; url: string };

export type TrustProxy = boolean | number | string[];

export interface Config {
  env: "development" | "production" | "test";
  host: string;
  port: number;
  dataDir: string;
  database: DatabaseTarget;
  databasePoolMax: number;
  databaseTimeoutMs: number;
  authSecret: string;
  publicUrl: string;
  jwtExpiresInSeconds: number;
  jwtJwks: { url: string; issuer: string; audience: string } | null;
  jwtSecret: string | null;
  corsOrigins: string[];
  logLevel: string;
  /** How log lines look: "auto" is pretty in development at a terminal, JSON otherwise. */
  logFormat: "auto" | "json" | "pretty";
  trustProxy: TrustProxy;
  rateLimit: {
    enabled: boolean;
    apiPerMinute: number;
    authPerIpPerMinute: number;
    authPerAccountPer15Minutes: number;
    redisUrl: string | null;
  };
  adminEmails: string[];
  bodyLimit: number;
  staticDir: string | null;
  revocationPollMs: number;
  /** Memory for cached task-list pages per process (tasks/list-cache.ts); 0 turns the cache off. */
  listCacheMb: number;
  /** SPEC §7 limits (422 limit_exceeded), checked in the writing statements against trigger-kept counters. */
  limits: { listsPerUser: number; tasksPerList: number; subtasksPerTask: number };
  shutdownTimeoutMs: number;
  passwordHashConcurrency: number;
  webConcurrency: number;
}

type Env = Record<string, string | undefined>;

const backendRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${value}`);
  return value;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === "") return fallback;
  if (["1", "true", "on", "yes"].includes(raw)) return true;
  if (["0", "false", "off", "no"].includes(raw)) return false;
  throw new ConfigError(name, `must be on/off (or true/false), got "${env[name]}"`);
}

function list(env: Env, name: string): string[] {
  return (env[name] ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

function url(name: string, raw: string, protocols: string[]): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(name, `is not a valid URL: "${raw}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(name, `must start with ${protocols.map((p) => `${p}//`).join(" or ")}`);
  }
  return raw;
}

function duration(name: string, raw: string | undefined, fallbackSeconds: number): number {
  if (raw === undefined || raw === "") return fallbackSeconds;
  const match = /^(\d+)\s*(s|m|h)?$/.exec(raw.trim());
  if (!match) throw new ConfigError(name, `must look like 900, 900s, 15m or 1h, got "${raw}"`);
  const n = Number(match[1]);
  const seconds = match[2] === "h" ? n * 3600 : match[2] === "m" ? n * 60 : n;
  if (seconds < 30 || seconds > 86_400) throw new ConfigError(name, "must be between 30 seconds and 24 hours");
  return seconds;
}

function trustProxy(env: Env): TrustProxy {
  const raw = env.TRUST_PROXY?.trim();
  if (raw === undefined || raw === "" || /^(false|off|0|no)$/i.test(raw)) return false;
  if (/^(true|on|yes)$/i.test(raw)) return true;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = list(env, "TRUST_PROXY");
  for (const entry of entries) {
    if (!/^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry)) {
      throw new ConfigError("TRUST_PROXY", `must be off, on, a hop count or a list of addresses/CIDRs; "${entry}" is none of these`);
    }
  }
  return entries;
}

/**
 * In development the auth secret is generated once and kept in DATA_DIR, so
 * sessions and keys survive restarts without any setup.
 */
function developmentSecret(dataDir: string, persistent: boolean): string {
  if (!persistent) return randomBytes(32).toString("base64url");
  const file = path.join(dataDir, "auth-secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/** Reads `.env` (when present) into the environment it is given, without overriding set variables. */
export function loadDotEnv(env: Env = process.env, file = path.resolve(env.INIT_CWD || process.cwd(), ".env")): void {
  if (!existsSync(file)) return;
  const parsed = dotenv.parse(readFileSync(file));
  for (const [key, value] of Object.entries(parsed)) if (env[key] === undefined) env[key] = value;
}

export function loadConfig(env: Env): Config {
  const nodeEnv = env.NODE_ENV ?? "development";
  if (nodeEnv !== "development" && nodeEnv !== "production" && nodeEnv !== "test") {
    throw new ConfigError("NODE_ENV", `must be development, production or test, got "${nodeEnv}"`);
  }
  const production = nodeEnv === "production";
  const host = env.HOST || "127.0.0.1";
  const port = int(env, "PORT", 3000, 0, 65_535);
  // npm runs workspace scripts inside backend/; relative paths mean the directory npm was started from.
  const baseDir = env.INIT_CWD || process.cwd();
  const dataDir = path.resolve(baseDir, env.DATA_DIR || "./data");

  let database: DatabaseTarget;
  const dbUrl = env.DATABASE_URL?.trim();
  if (!dbUrl) database = { kind: "pglite", dir: path.join(dataDir, "pgdata") };
  else if (dbUrl === "memory://") database = { kind: "pglite", dir: null };
  else database = { kind: "pg", url: url("DATABASE_URL", dbUrl, ["postgres:", "postgresql:"]) };

  let authSecret = env.BETTER_AUTH_SECRET ?? "";
  if (authSecret) {
    if (authSecret.length < 32) throw new ConfigError("BETTER_AUTH_SECRET", "must be at least 32 characters");
  } else if (production) {
    throw new ConfigError("BETTER_AUTH_SECRET", "is required in production (at least 32 characters)");
  } else {
    authSecret = developmentSecret(dataDir, !(database.kind === "pglite" && database.dir === null));
  }

  if (production && !env.BETTER_AUTH_URL) {
    throw new ConfigError("BETTER_AUTH_URL", "is required in production (the public base URL, e.g. https://tasks.example.com)");
  }
  const publicUrl = url("BETTER_AUTH_URL", env.BETTER_AUTH_URL || `http://${host.includes(":") ? `[${host}]` : host}:${port}`, [
    "http:",
    "https:",
  ]).replace(/\/+$/, "");

  let jwtJwks: Config["jwtJwks"] = null;
  if (env.JWT_JWKS_URL) {
    const jwksUrl = url("JWT_JWKS_URL", env.JWT_JWKS_URL, ["http:", "https:"]);
    const origin = new URL(jwksUrl).origin;
    const issuer = env.JWT_JWKS_ISSUER || origin;
    jwtJwks = { url: jwksUrl, issuer, audience: env.JWT_JWKS_AUDIENCE || issuer };
  }
  const jwtSecret = env.JWT_SECRET || null;
  if (jwtSecret !== null && jwtSecret.length < 32) throw new ConfigError("JWT_SECRET", "must be at least 32 characters");

  const corsOrigins = list(env, "CORS_ORIGINS");
  for (const origin of corsOrigins) url("CORS_ORIGINS", origin, ["http:", "https:"]);

  const logLevel = env.LOG_LEVEL || (nodeEnv === "test" ? "silent" : "info");
  if (!["fatal", "error", "warn", "info", "debug", "trace", "silent"].includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL", `must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }

  const logFormat = env.LOG_FORMAT || "auto";
  if (!["auto", "json", "pretty"].includes(logFormat)) {
    throw new ConfigError("LOG_FORMAT", `must be auto, json or pretty; got "${logFormat}"`);
  }

  const redisUrl = env.REDIS_URL ? url("REDIS_URL", env.REDIS_URL, ["redis:", "rediss:"]) : null;
  const adminEmails = list(env, "ADMIN_EMAILS").map((e) => e.toLowerCase());
  for (const email of adminEmails) {
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw new ConfigError("ADMIN_EMAILS", `"${email}" is not an email address`);
  }

  const staticDirRaw = env.STATIC_DIR ?? path.resolve(backendRoot, "../frontend/dist");
  const staticDir = staticDirRaw === "" || staticDirRaw === "off" ? null : path.resolve(baseDir, staticDirRaw);

  return {
    env: nodeEnv,
    host,
    port,
    dataDir,
    database,
    databasePoolMax: int(env, "DATABASE_POOL_MAX", 10, 1, 500),
    databaseTimeoutMs: int(env, "DATABASE_TIMEOUT_MS", 5000, 100, 120_000),
    authSecret,
    publicUrl,
    jwtExpiresInSeconds: duration("JWT_EXPIRES_IN", env.JWT_EXPIRES_IN, 900),
    jwtJwks,
    jwtSecret,
    corsOrigins,
    logLevel,
    // "auto": readable lines in development when stdout is a terminal, JSON otherwise (main.ts decides).
    logFormat: logFormat as "auto" | "json" | "pretty",
    trustProxy: trustProxy(env),
    rateLimit: {
      enabled: bool(env, "RATE_LIMIT", true),
      apiPerMinute: int(env, "RATE_LIMIT_API_PER_MINUTE", 1200, 1, 10_000_000),
      authPerIpPerMinute: int(env, "RATE_LIMIT_AUTH_PER_IP_PER_MINUTE", 30, 1, 1_000_000),
      authPerAccountPer15Minutes: int(env, "RATE_LIMIT_AUTH_PER_ACCOUNT", 10, 1, 1_000_000),
      redisUrl,
    },
    adminEmails,
    bodyLimit: int(env, "BODY_LIMIT", 65_536, 1024, 10_485_760),
    staticDir,
    revocationPollMs: int(env, "REVOCATION_POLL_MS", 2000, 100, 60_000),
    listCacheMb: int(env, "LIST_CACHE_MB", 16, 0, 4096),
    limits: {
      listsPerUser: int(env, "LIMIT_LISTS_PER_USER", 1000, 1, 1_000_000),
      tasksPerList: int(env, "LIMIT_TASKS_PER_LIST", 100_000, 1, 100_000_000),
      subtasksPerTask: int(env, "LIMIT_SUBTASKS_PER_TASK", 500, 1, 1_000_000),
    },
    shutdownTimeoutMs: int(env, "SHUTDOWN_TIMEOUT_MS", 10_000, 100, 600_000),
    passwordHashConcurrency: int(env, "PASSWORD_HASH_CONCURRENCY", Math.max(1, availableParallelism() - 1), 1, 64),
    webConcurrency: int(env, "WEB_CONCURRENCY", 1, 1, 256),
  };
}
