import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { UsmError, describeError } from '../../../common/usm-error.js';
import { jobQueueName } from '../../../poller/lib/broker/topology.js';
import type { Command } from '../cli/command.js';
import { parseFlags } from '../cli/parse-flags.js';
import { buildJobFromFlags } from '../job/build-job.js';
import { JobClient } from '../job/job-client.js';
import { summarizeRun } from '../job/latency-summary.js';

const HELP = `usm-appliance job: publish a job to a poller and print its result.

Usage:
  usm-appliance job --dsn DSN (--satellite ID | --queue NAME) --file JOB.json
  usm-appliance job --dsn DSN (--satellite ID | --queue NAME) --type TYPE --host HOST [--port N] [--param key=value ...]

Options:
  --dsn DSN            broker URL (default: $US_AMQP_DSN)
  --satellite ID       send to usm_poller-sat-<ID>
  --queue NAME         send to this queue (default usm_poller)
  --file FILE          the job body as JSON (protocol v1)
  --type TYPE          job type, e.g. snmp.get, tcp.check, icmp.ping
  --host HOST          target host;  --port N  target port
  --param key=value    a param; value is JSON if it parses (--param 'oids=["1.3.6.1.2.1.1.5.0"]'), dotted keys nest (v3.user=ops)
  --timeout-ms N       the job's timeoutMs
  --count N            send N copies and print a summary (ok/failed, jobs/s, p50/p99 latency)
  --concurrency M      copies in flight at once with --count (default 16)
  --wait-ms N          how long to wait for each result (default: job timeout + 15000)

Exit codes: 0 when the status is ok (every copy with --count), 1 otherwise, 2 on bad arguments.
`;

const flagsSchema = z.strictObject({
  dsn: z.string().min(1).optional(),
  satellite: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 of A-Za-z0-9_-').optional(),
  queue: z.string().min(1).max(255).optional(),
  file: z.string().min(1).optional(),
  type: z.string().min(1).optional(),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(1).max(65535).optional(),
  param: z.array(z.string()).default([]),
  'timeout-ms': z.coerce.number().int().min(1).max(600_000).optional(),
  count: z.coerce.number().int().min(1).max(10_000_000).optional(),
  concurrency: z.coerce.number().int().min(1).max(10_000).default(16),
  'wait-ms': z.coerce.number().int().min(1).optional(),
});

export const jobCommand: Command = {
  path: ['job'],
  summary: 'publish a job to a poller and print its result (or a load summary with --count)',
  help: HELP,
  async run(argv, io) {
    const flags = parseFlags(argv, {
      dsn: { type: 'string' }, satellite: { type: 'string' }, queue: { type: 'string' }, file: { type: 'string' },
      type: { type: 'string' }, host: { type: 'string' }, port: { type: 'string' }, param: { type: 'string', multiple: true },
      'timeout-ms': { type: 'string' }, count: { type: 'string' }, concurrency: { type: 'string' }, 'wait-ms': { type: 'string' },
    }, flagsSchema);
    const dsn = flags.dsn ?? io.env.US_AMQP_DSN?.split(',')[0];
    if (!dsn) throw new UsmError('E_USAGE', '--dsn: required (or set US_AMQP_DSN)');
    if (flags.satellite && flags.queue) throw new UsmError('E_USAGE', '--satellite and --queue: give one, not both');
    const queue = flags.queue ?? jobQueueName(flags.satellite ?? null);
    const job = await loadJob(flags);
    const waitMs = flags['wait-ms'] ?? (typeof job.timeoutMs === 'number' ? job.timeoutMs : 10_000) + 15_000;

    const client = await JobClient.open(dsn);
    try {
      await client.checkQueue(queue);
      if (flags.count === undefined) {
        const { result } = await client.request(queue, job, waitMs);
        io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        return result.status === 'ok' ? 0 : 1;
      }
      const summary = await sendMany(client, queue, job, flags.count, flags.concurrency, waitMs);
      io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      return summary.failed === 0 ? 0 : 1;
    } finally {
      await client.close();
    }
  },
};

async function loadJob(flags: z.infer<typeof flagsSchema>): Promise<Record<string, unknown>> {
  if (flags.file) {
    if (flags.type || flags.host) throw new UsmError('E_USAGE', '--file: give either --file or --type/--host, not both');
    let text: string;
    try {
      text = await readFile(flags.file, 'utf8');
    } catch (error) {
      throw new UsmError('E_USAGE', `--file: cannot read ${flags.file}: ${describeError(error)}`);
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      return parsed as Record<string, unknown>;
    } catch (error) {
      throw new UsmError('E_USAGE', `--file: ${flags.file} is not a JSON object: ${describeError(error)}`);
    }
  }
  if (!flags.type) throw new UsmError('E_USAGE', '--type: required (or --file)');
  return buildJobFromFlags({ type: flags.type, host: flags.host, port: flags.port, params: flags.param, timeoutMs: flags['timeout-ms'] });
}

async function sendMany(client: JobClient, queue: string, job: Record<string, unknown>, count: number, concurrency: number, waitMs: number) {
  const statuses: string[] = [];
  const latencies: number[] = [];
  const base = typeof job.id === 'string' ? job.id : `cli-${Date.now()}`;
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < count) {
      const index = next++;
      try {
        const reply = await client.request(queue, { ...job, id: `${base}-${index}` }, waitMs);
        statuses.push(String(reply.result.status));
        latencies.push(reply.latencyMs);
      } catch {
        statuses.push('no-result');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return summarizeRun(statuses, latencies, (performance.now() - started) / 1000);
}
