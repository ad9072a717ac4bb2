/**
 * The current time in milliseconds since the epoch. Logic whose outcome
 * depends on the time takes one, so tests can move time instead of waiting
 * for it to pass.
 */
export type Clock = () => number;

export const systemClock: Clock = () => Date.now();
