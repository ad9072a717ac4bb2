import client from "prom-client";

/** One registry per process; /metrics renders it. */
export const registry = new client.Registry();
client.collectDefaultMetrics({ register: registry });

const requests = new client.Counter({
  name: "http_requests_total",
  help: "HTTP requests by method, route pattern and status.",
  labelNames: ["method", "route", "status"] as const,
  registers: [registry],
});

const duration = new client.Histogram({
  name: "http_request_duration_seconds",
  help: "HTTP request duration by method, route pattern and status.",
  labelNames: ["method", "route", "status"] as const,
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [registry],
});

const listCacheLookups = new client.Counter({
  name: "task_list_cache_lookups_total",
  help: "Task-list page lookups: hit (stored page still current), stale (stored page outdated), miss (none stored), bypass (not cacheable).",
  labelNames: ["result"] as const,
  registers: [registry],
});

export function countListCacheLookup(result: "hit" | "stale" | "miss" | "bypass"): void {
  listCacheLookups.inc({ result });
}

export function observeRequest(method: string, route: string, status: number, seconds: number): void {
  const labels = { method, route, status: String(status) };
  requests.inc(labels);
  duration.observe(labels, seconds);
}

/** Pool gauges read at scrape time from whichever database the app uses. */
export function registerPoolGauges(stats: () => { total: number; idle: number; waiting: number }): void {
  for (const name of ["total", "idle", "waiting"] as const) {
    const metric = `db_pool_${name}_connections`;
    registry.removeSingleMetric(metric);
    new client.Gauge({
      name: metric,
      help: `Database pool connections: ${name}.`,
      registers: [registry],
      collect() {
        this.set(stats()[name]);
      },
    });
  }
}
