import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

/*
 * Password hashing runs node's scrypt on the libuv thread pool (never on the
 * event loop), and at most `concurrency` hashes run at once, so a burst of
 * sign-ins queues here instead of starving task requests of CPU.
 */
const N = 16_384;
const r = 16;
const p = 1;
const keyLength = 64;
const maxmem = 128 * N * r * p * 2;

function derive(password: string, salt: Buffer, params = { N, r, p }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, keyLength, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

class Semaphore {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(data: { hash: string; password: string }): Promise<boolean>;
}

export function createPasswordHasher(concurrency: number): PasswordHasher {
  const gate = new Semaphore(concurrency);
  return {
    hash: (password) =>
      gate.run(async () => {
        const salt = randomBytes(16);
        const key = await derive(password, salt);
        return `scrypt$${N}$${r}$${p}$${salt.toString("base64url")}$${key.toString("base64url")}`;
      }),
    verify: ({ hash, password }) =>
      gate.run(async () => {
        const [scheme, n, rr, pp, salt, expected] = hash.split("$");
        if (scheme !== "scrypt" || !salt || !expected) return false;
        const key = await derive(password, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(rr), p: Number(pp) });
        const want = Buffer.from(expected, "base64url");
        return want.length === key.length && timingSafeEqual(key, want);
      }),
  };
}
