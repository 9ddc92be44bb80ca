import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { JobResult } from '../protocol/result.js';

/** Prometheus metrics of one poller process, in a registry of its own (no global state). */
export interface PollerMetrics {
  registry: Registry;
  recordResult(result: JobResult): void;
  recordReconnect(): void;
  recordSnmpRequest(outcome: 'ok' | 'timeout' | 'error'): void;
  setHandshakeAgeSeconds(interfaceName: string, seconds: number | null): void;
}

export function createPollerMetrics(readInFlight: () => number): PollerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'usm_poller_process_' });
  const jobs = new Counter({ name: 'usm_poller_jobs_total', help: 'Jobs finished, by type and status', labelNames: ['type', 'status'], registers: [registry] });
  const duration = new Histogram({
    name: 'usm_poller_job_duration_seconds', help: 'Job duration from pick-up to result, by type', labelNames: ['type'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 600], registers: [registry],
  });
  new Gauge({
    name: 'usm_poller_jobs_in_flight', help: 'Jobs being executed now', registers: [registry],
    collect() { this.set(readInFlight()); },
  });
  const reconnects = new Counter({ name: 'usm_poller_broker_reconnects_total', help: 'Broker links lost and retried', registers: [registry] });
  const snmp = new Counter({ name: 'usm_poller_snmp_requests_total', help: 'SNMP requests sent, by outcome', labelNames: ['outcome'], registers: [registry] });
  // Labelled so that "unknown" is no sample at all: an unlabelled gauge would read 0, i.e. a fresh handshake.
  const handshake = new Gauge({ name: 'usm_poller_tunnel_handshake_age_seconds', help: 'Seconds since the last WireGuard handshake (absent when unknown)', labelNames: ['interface'], registers: [registry] });
  const jobCounters = new Map<string, ReturnType<typeof jobs.labels>>();
  const durations = new Map<string, ReturnType<typeof duration.labels>>();
  return {
    registry,
    recordResult(result) {
      // Label children are cached: prom-client would hash the label object on every job otherwise.
      const key = `${result.type}\n${result.status}`;
      let counter = jobCounters.get(key);
      if (!counter) jobCounters.set(key, (counter = jobs.labels(result.type, result.status)));
      counter.inc();
      let histogram = durations.get(result.type);
      if (!histogram) durations.set(result.type, (histogram = duration.labels(result.type)));
      histogram.observe(result.durationMs / 1000);
    },
    recordReconnect: () => reconnects.inc(),
    recordSnmpRequest: (outcome) => snmp.inc({ outcome }),
    setHandshakeAgeSeconds(interfaceName, seconds) {
      if (seconds === null) handshake.remove({ interface: interfaceName });
      else handshake.set({ interface: interfaceName }, seconds);
    },
  };
}
