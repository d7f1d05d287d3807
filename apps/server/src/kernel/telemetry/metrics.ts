import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** Prometheus metrics for one process; exposed at /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'atrium_' });
  const httpDuration = new Histogram({
    name: 'atrium_http_request_duration_seconds',
    help: 'HTTP request duration by route and status class',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  const jobsCompleted = new Counter({
    name: 'atrium_jobs_total',
    help: 'Jobs handled by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [registry],
  });
  const eventsDispatched = new Counter({
    name: 'atrium_events_dispatched_total',
    help: 'Domain events delivered to subscribers, by type',
    labelNames: ['type'] as const,
    registers: [registry],
  });
  return { registry, httpDuration, jobsCompleted, eventsDispatched };
}

export type Metrics = ReturnType<typeof createMetrics>;
