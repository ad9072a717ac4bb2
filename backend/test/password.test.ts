/**
 * Password hashing (src/auth/password.ts): the stored format, old hashes,
 * Unicode normalization. This file owns its hashers; no app or database.
 */
import assert from "node:assert/strict";
import { scryptSync } from "node:crypto";
import { describe, test } from "node:test";
import { hashPassword, verifyPassword } from "better-auth/crypto";
import { createPasswordHasher, isLegacyHash } from "../src/auth/password.ts";

describe("password hashing", () => {
  test("a hash verifies its password and nothing else, in the stored format", async () => {
    const hasher = createPasswordHasher(2);
    const hash = await hasher.hash("correct horse battery staple");
    assert.match(hash, /^[0-9a-f]{32}:[0-9a-f]{128}$/);
    assert.equal(isLegacyHash(hash), false);
    assert.equal(await hasher.verify({ hash, password: "correct horse battery staple" }), true);
    assert.equal(await hasher.verify({ hash, password: "correct horse battery stapl" }), false);
    assert.equal(await hasher.verify({ hash, password: "" }), false);
    assert.notEqual(await hasher.hash("correct horse battery staple"), hash, "a new salt each time");
    assert.equal(await hasher.verify({ hash: "bcrypt$whatever", password: "x" }), false, "an unknown scheme never verifies");
    assert.equal(await hasher.verify({ hash: "", password: "" }), false);
  });

  test("hashes interoperate with Better Auth's default hashing, both ways (another Better Auth app shares the database)", async () => {
    const hasher = createPasswordHasher(2);
    const password = "ﬁle Ⅸ and more";
    assert.equal(await verifyPassword({ hash: await hasher.hash(password), password }), true);
    assert.equal(await verifyPassword({ hash: await hasher.hash(password), password: "file IX and mor" }), false);
    const theirs = await hashPassword(password);
    assert.equal(await hasher.verify({ hash: theirs, password }), true);
    assert.equal(await hasher.verify({ hash: theirs, password: "file IX and more" }), true, "NFKC-equal");
    assert.equal(await hasher.verify({ hash: theirs, password: "file IX and mor" }), false);
  });

  test("hashes stored before issue 19 (node's scrypt, scrypt$ format, NFKC) still verify, and NFKC-equal passwords match", async () => {
    const salt = Buffer.from("0123456789abcdef");
    const password = "ﬁle Ⅸ"; // NFKC: "file IX"
    const key = scryptSync(password.normalize("NFKC"), salt, 64, { N: 16_384, r: 16, p: 1, maxmem: 128 * 16_384 * 16 * 2 });
    const stored = `scrypt$16384$16$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    const hasher = createPasswordHasher(1);
    assert.equal(isLegacyHash(stored), true);
    assert.equal(await hasher.verify({ hash: stored, password }), true);
    assert.equal(await hasher.verify({ hash: stored, password: "file IX" }), true);
    assert.equal(await hasher.verify({ hash: stored, password: "file IX " }), false);
  });
});
