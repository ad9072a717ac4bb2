import type { FastifyReply } from "fastify";
import { Redis } from "ioredis";
import { type RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Config } from "../config.ts";
import { rateLimited } from "../domain/errors.ts";

export interface RateLimiters {
  /** Per user, on every authenticated API request; sets RateLimit-* headers. */
  api(userId: string, reply: FastifyReply): Promise<void>;
  /** Sign-in and sign-up attempts per client address. */
  authByIp(ip: string): Promise<void>;
  /** Sign-in attempts per account (email), whatever address they come from. */
  authByAccount(email: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * rate-limiter-flexible, in memory for one instance or in Redis (REDIS_URL)
 * when several instances must share counters; if Redis is unreachable the
 * in-memory limiter takes over instead of failing requests.
 */
export function createRateLimiters(options: Config["rateLimit"]): RateLimiters {
  if (!options.enabled) {
    return { api: async () => {}, authByIp: async () => {}, authByAccount: async () => {}, close: async () => {} };
  }
  const redis = options.redisUrl
    ? new Redis(options.redisUrl, { enableOfflineQueue: false, maxRetriesPerRequest: 1, lazyConnect: false })
    : null;
  redis?.on("error", () => {});
  const make = (keyPrefix: string, points: number, duration: number): RateLimiterAbstract => {
    const memory = new RateLimiterMemory({ keyPrefix, points, duration });
    return redis ? new RateLimiterRedis({ storeClient: redis, keyPrefix, points, duration, insuranceLimiter: memory }) : memory;
  };
  const api = make("doable:api", options.apiPerMinute, 60);
  const byIp = make("doable:auth-ip", options.authPerIpPerMinute, 60);
  const byAccount = make("doable:auth-account", options.authPerAccountPer15Minutes, 15 * 60);

  const consume = async (limiter: RateLimiterAbstract, key: string): Promise<RateLimiterRes> => {
    try {
      return await limiter.consume(key);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)));
      throw rejection;
    }
  };

  return {
    async api(userId, reply) {
      let res: RateLimiterRes;
      try {
        res = await consume(api, userId);
      } catch (err) {
        reply.header("ratelimit-limit", options.apiPerMinute).header("ratelimit-remaining", 0);
        throw err;
      }
      reply
        .header("ratelimit-limit", options.apiPerMinute)
        .header("ratelimit-remaining", res.remainingPoints)
        .header("ratelimit-reset", Math.ceil(res.msBeforeNext / 1000));
    },
    authByIp: async (ip) => {
      await consume(byIp, ip);
    },
    authByAccount: async (email) => {
      await consume(byAccount, email.trim().toLowerCase());
    },
    async close() {
      redis?.disconnect();
    },
  };
}
