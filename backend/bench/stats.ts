import type { OpSamples } from "./jobs.ts";

export interface OpSummary {
  requests: number;
  rps: number;
  /** Milliseconds; exact (nearest-rank over every sample), not bucketed. */
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
  /** Responses outside 2xx, by status. */
  non2xx: Record<string, number>;
  /** Requests that got no response at all, by error code. */
  errors: Record<string, number>;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

export function summarize(samples: OpSamples, windowS: number): OpSummary {
  const sorted = samples.latencies.slice().sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  const non2xx: Record<string, number> = {};
  for (const [status, n] of Object.entries(samples.statuses)) if (!/^2\d\d$/.test(status)) non2xx[status] = n;
  return {
    requests: sorted.length,
    rps: Math.round((sorted.length / windowS) * 10) / 10,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0),
    mean: round(sorted.length > 0 ? sum / sorted.length : 0),
    non2xx,
    errors: { ...samples.errors },
  };
}

/** Several operations' samples as one (the "all" row). */
export function combine(list: OpSamples[]): OpSamples {
  const latencies = new Float64Array(list.reduce((n, s) => n + s.latencies.length, 0));
  const statuses: Record<string, number> = {};
  const errors: Record<string, number> = {};
  let offset = 0;
  for (const s of list) {
    latencies.set(s.latencies, offset);
    offset += s.latencies.length;
    for (const [k, v] of Object.entries(s.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    for (const [k, v] of Object.entries(s.errors)) errors[k] = (errors[k] ?? 0) + v;
  }
  return { latencies, statuses, errors };
}

export const failures = (s: OpSummary): number =>
  Object.values(s.non2xx).reduce((a, b) => a + b, 0) + Object.values(s.errors).reduce((a, b) => a + b, 0);
