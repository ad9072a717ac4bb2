/**
 * Password hashing (src/auth/password.ts): the stored format, old hashes,
 * Unicode normalization. This file owns its hashers; no app or database.
 */
import assert from "node:assert/strict";
import { scryptSync } from "node:crypto";
import { describe, test } from "node:test";
import { createPasswordHasher } from "../src/auth/password.ts";

describe("password hashing", () => {
  test("a hash verifies its password and nothing else, in the stored format", async () => {
    const hasher = createPasswordHasher(2);
    const hash = await hasher.hash("correct horse battery staple");
    assert.match(hash, /^scrypt\$16384\$16\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{86}$/);
    assert.equal(await hasher.verify({ hash, password: "correct horse battery staple" }), true);
    assert.equal(await hasher.verify({ hash, password: "correct horse battery stapl" }), false);
    assert.equal(await hasher.verify({ hash, password: "" }), false);
    assert.notEqual(await hasher.hash("correct horse battery staple"), hash, "a new salt each time");
    assert.equal(await hasher.verify({ hash: "bcrypt$whatever", password: "x" }), false, "an unknown scheme never verifies");
  });

  test("hashes stored before the threads (node's scrypt, NFKC) still verify, and NFKC-equal passwords match", async () => {
    const salt = Buffer.from("0123456789abcdef");
    const password = "ﬁle Ⅸ"; // NFKC: "file IX"
    const key = scryptSync(password.normalize("NFKC"), salt, 64, { N: 16_384, r: 16, p: 1, maxmem: 128 * 16_384 * 16 * 2 });
    const stored = `scrypt$16384$16$1$${salt.toString("base64url")}$${key.toString("base64url")}`;
    const hasher = createPasswordHasher(1);
    assert.equal(await hasher.verify({ hash: stored, password }), true);
    assert.equal(await hasher.verify({ hash: stored, password: "file IX" }), true);
    assert.equal(await hasher.verify({ hash: stored, password: "file IX " }), false);
  });
});
