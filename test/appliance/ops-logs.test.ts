import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createLogger, parseLogLevelSpec } from '../../common/logger.js';
import { createPrettyStream, formatLogLine } from '../../appliance/lib/ops/pretty-log.js';
import { main } from '../../appliance/index.js';
import { runAppliance } from './ops-cli-harness.js';

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

test('formatLogLine: head, key=value pairs, passthrough of non-JSON, level filter', () => {
  const line = JSON.stringify({ level: 40, time: '2026-01-02T03:04:05.678Z', pid: 1, name: 'usm-poller', component: 'broker', msg: 'reconnecting', attempt: 3, broker: 'amqp://u:xxxxx@10.77.0.1:5672/', err: 'socket hang up' });
  assert.equal(formatLogLine(line), '03:04:05.678 WARN  usm-poller[broker] reconnecting attempt=3 broker=amqp://u:xxxxx@10.77.0.1:5672/ err="socket hang up"');
  assert.equal(formatLogLine('plain text from a shell'), 'plain text from a shell');
  assert.equal(formatLogLine('{"not":"pino"}'), '{"not":"pino"}');
  assert.equal(formatLogLine(line, 50), null);
});

test('USM_LOG_LEVEL=info,snmp=debug: snmp children log debug, others stay at info; secrets stay redacted in pretty output', async () => {
  const spec = parseLogLevelSpec('info, snmp=debug ,broker=error', 'warn');
  assert.deepEqual(spec, { level: 'info', components: { snmp: 'debug', broker: 'error' } });
  assert.throws(() => parseLogLevelSpec('info,snmp=loud', 'warn'), /log level "snmp=loud": expected LEVEL or COMPONENT=LEVEL/);

  const out = new PassThrough();
  const read = collect(out);
  const pretty = createPrettyStream(out);
  const log = createLogger({ ...spec, name: 'usm-poller', stream: pretty });
  log.debug('root debug hidden');
  log.child({ job: 'j1', type: 'snmp.get' }).debug({ community: 'public-secret' }, 'snmp debug shown');
  log.child({ job: 'j1', type: 'snmp.get' }).child({ step: 2 }).debug('grandchild inherits');
  log.child({ job: 'j2', type: 'icmp.ping' }).debug('icmp debug hidden');
  log.child({ component: 'broker' }).warn('broker warn hidden');
  log.child({ component: 'broker' }).error('broker error shown');
  log.info('root info shown');
  log.flush();
  await new Promise((resolve) => setImmediate(resolve));
  const lines = read().trim().split('\n');
  assert.deepEqual(lines.map((l) => l.replace(/^\d\d:\d\d:\d\d\.\d{3} /, '')), [
    'DEBUG usm-poller snmp debug shown job=j1 type=snmp.get community=[redacted]',
    'DEBUG usm-poller grandchild inherits job=j1 type=snmp.get step=2',
    'ERROR usm-poller[broker] broker error shown',
    'INFO  usm-poller root info shown',
  ]);
});

test('usm-appliance logs --file --level prints records for people; --pretty is a global flag', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'usm-logs-'));
  try {
    const file = join(dir, 'poller.log');
    await writeFile(file, [
      JSON.stringify({ level: 30, time: '2026-01-02T03:04:05.000Z', name: 'usm-poller', msg: 'usm-poller starting', queue: 'usm_poller-sat-7' }),
      JSON.stringify({ level: 20, time: '2026-01-02T03:04:05.100Z', name: 'usm-poller', msg: 'debug noise' }),
      'docker: a line that is not JSON',
      JSON.stringify({ level: 50, time: '2026-01-02T03:04:06.000Z', name: 'usm-poller', msg: 'broker lost', code: 'ECONNRESET' }),
    ].join('\n'));
    const r = await runAppliance(['logs', '--file', file, '--level', 'info']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, [
      '03:04:05.000 INFO  usm-poller usm-poller starting queue=usm_poller-sat-7',
      'docker: a line that is not JSON',
      '03:04:06.000 ERROR usm-poller broker lost code=ECONNRESET',
      '',
    ].join('\n'));
    const bad = await runAppliance(['logs', '--level', 'loud']);
    assert.equal(bad.code, 2);

    // --pretty anywhere on the line is taken by main, not by the command's strict flag parser.
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const readOut = collect(stdout);
    const saved = process.exitCode;
    const code = await main({ argv: ['--pretty', 'logs', '--file', file, '--level', 'error'], stdout, stderr, env: { USM_LOG_LEVEL: 'info' }, interactive: false });
    process.exitCode = saved;
    assert.equal(code, 0);
    assert.equal(readOut(), 'docker: a line that is not JSON\n03:04:06.000 ERROR usm-poller broker lost code=ECONNRESET\n');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
