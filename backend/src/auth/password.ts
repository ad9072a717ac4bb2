import { scrypt, timingSafeEqual } from "node:crypto";
import { hashPassword, verifyPassword } from "better-auth/crypto";

/*
 * Password hashing runs scrypt on the libuv thread pool (never on the event
 * loop), and at most `concurrency` hashes run at once, so a burst of sign-ins
 * queues here instead of starving task requests of CPU.
 *
 * New hashes are Better Auth's own default (`<salt>:<key>` in hex, scrypt
 * N=16384 r=16 p=1, 64 bytes, NFKC), made by Better Auth's function, so that
 * another Better Auth app sharing the database verifies them with its defaults
 * and Doable verifies that app's. Hashes stored before issue 19 were
 * `scrypt$N$r$p$<salt>$<key>` (base64url, binary salt): they still verify, and
 * `isLegacyHash` lets sign-in rewrite them in the shared format.
 */
const legacyPrefix = "scrypt$";

function deriveLegacy(password: string, salt: Buffer, params: { N: number; r: number; p: number }): Promise<Buffer> {
  const maxmem = 128 * params.N * params.r * params.p * 2;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, 64, { ...params, maxmem }, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

async function verifyLegacy(hash: string, password: string): Promise<boolean> {
  const [, n, rr, pp, salt, expected] = hash.split("$");
  if (!salt || !expected) return false;
  const key = await deriveLegacy(password, Buffer.from(salt, "base64url"), { N: Number(n), r: Number(rr), p: Number(pp) });
  const want = Buffer.from(expected, "base64url");
  return want.length === key.length && timingSafeEqual(key, want);
}

export const isLegacyHash = (hash: string) => hash.startsWith(legacyPrefix);

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
    hash: (password) => gate.run(() => hashPassword(password)),
    verify: ({ hash, password }) =>
      gate.run(async () => {
        if (isLegacyHash(hash)) return verifyLegacy(hash, password);
        // Better Auth's verifier throws on a hash that is not `<salt>:<key>`: such a hash matches no password.
        return verifyPassword({ hash, password }).catch(() => false);
      }),
  };
}
