import assert from "node:assert/strict";
import { describe, test } from "node:test";
import fc from "fast-check";
import { evenKeys, keyBetween, MAX_KEY_LENGTH, rebalancePlan } from "../src/tasks/order.ts";

// Byte order, as PostgreSQL compares the COLLATE "C" position column (keys are ASCII).
const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)) as -1 | 0 | 1;
const inByteOrder = (keys: readonly string[]) => keys.every((k, i) => i === 0 || byteOrder(keys[i - 1] as string, k) < 0);

describe("order keys", () => {
  test("a key between two neighbours sorts strictly between them; null is the start or the end", () => {
    assert.equal(keyBetween(null, null), "a0");
    const end = keyBetween("a0", null) as string;
    const start = keyBetween(null, "a0") as string;
    const middle = keyBetween("a0", "a1") as string;
    assert.ok(inByteOrder([start, "a0", middle, "a1"]));
    assert.ok(inByteOrder(["a0", end]));
  });

  test("the migration's keys ('d' + four base-62 digits) are valid neighbours", () => {
    const a = "d0000";
    const b = "d0001";
    const between = keyBetween(a, b) as string;
    assert.ok(inByteOrder([a, between, b]));
    assert.ok(inByteOrder(["dzzzz", keyBetween("dzzzz", null) as string]));
  });

  test("neighbours that are not keys of this scheme, equal or out of order ask for a rebalance (null), never throw", () => {
    for (const [lower, upper] of [
      ["not a key", null],
      [null, "!!"],
      ["a0", "a0"],
      ["a1", "a0"],
      ["a10", null], // a trailing zero: never generated
    ] as const) {
      assert.equal(keyBetween(lower, upper), null, `${lower} … ${upper}`);
    }
  });

  test(`placing tasks again and again in one gap passes ${MAX_KEY_LENGTH} characters after a few hundred placements: then null`, () => {
    let upper = "a1";
    let placements = 0;
    for (;;) {
      const key = keyBetween("a0", upper);
      if (key === null) break;
      assert.ok(key.length <= MAX_KEY_LENGTH);
      upper = key;
      placements++;
    }
    assert.ok(placements > 200 && placements < 400, `${placements} placements`);
  });

  test("appending 100,000 tasks keeps keys short", () => {
    let key: string | null = null;
    for (let i = 0; i < 100_000; i++) key = keyBetween(key, null) as string;
    assert.ok((key as string).length <= 5, key as string);
  });

  test("even keys are distinct, ascending in byte order and short, for large groups too", () => {
    const keys = evenKeys(100_000);
    assert.equal(new Set(keys).size, keys.length);
    assert.ok(inByteOrder(keys));
    assert.ok(keys.every((k) => k.length <= 4));
    // Each is a valid neighbour again.
    assert.ok(keyBetween(keys[0] as string, keys[1] as string));
  });

  test("a rebalancing plan puts the moved task at its index and gives the group fresh ascending keys", () => {
    assert.deepEqual(rebalancePlan(["x", "y"], "m", 0), { ids: ["m", "x", "y"], positions: ["a0", "a1", "a2"] });
    assert.deepEqual(rebalancePlan(["x", "y"], "m", 1).ids, ["x", "m", "y"]);
    assert.deepEqual(rebalancePlan(["x", "y"], "m", 2).ids, ["x", "y", "m"]);
    assert.deepEqual(rebalancePlan([], "m", 0), { ids: ["m"], positions: ["a0"] });
    assert.throws(() => rebalancePlan(["x"], "m", 2), RangeError);
  });

  test("property: any sequence of placements, rebalancing when asked, keeps the keys in the model's order", () => {
    // The model is an array of ids; each step places a new id at a random index, as a move or create does.
    let rebalancedRuns = 0;
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 1, maxLength: 800, size: "max" }), (choices) => {
        const order: string[] = [];
        const key = new Map<string, string>();
        let rebalances = 0;
        choices.forEach((choice, n) => {
          const id = `t${n}`;
          // Biased to a few hot gaps, the way dragging to the top of a list behaves.
          const index = choice % 8 !== 0 ? Math.min(1, order.length) : choice % (order.length + 1);
          const lower = index === 0 ? null : (key.get(order[index - 1] as string) as string);
          const upper = index === order.length ? null : (key.get(order[index] as string) as string);
          const k = keyBetween(lower, upper);
          if (k === null) {
            const plan = rebalancePlan(order, id, index);
            order.splice(0, order.length, ...plan.ids);
            for (const [i, x] of plan.ids.entries()) key.set(x, plan.positions[i] as string);
            rebalances++;
          } else {
            order.splice(index, 0, id);
            key.set(id, k);
          }
          const keys = order.map((x) => key.get(x) as string);
          assert.ok(inByteOrder(keys), "keys follow the model's order");
          assert.ok(keys.every((x) => x.length <= MAX_KEY_LENGTH));
        });
        if (rebalances > 0) rebalancedRuns++;
      }),
      { seed: 13, numRuns: 40 },
    );
    assert.ok(rebalancedRuns > 0, "some runs needed a rebalance");
  });
});
