import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  isFpingPermissionError,
  parseFpingEchoLine,
  parseFpingSummary,
  resultsFromFpingSummary,
} from '../../poller/lib/executors/icmp/fping-output.js';
import {
  hasPingStatistics,
  isPingPermissionError,
  isPingUnknownHost,
  parsePingEchoLine,
  parsePingOutput,
} from '../../poller/lib/executors/icmp/ping-output.js';

/**
 * Real fping 5.1 / iputils 20221126 outputs (captured by
 * capture-golden-inputs.ts in a throwaway namespace) against the parses in
 * `*.expected.json`. `UPDATE_GOLDEN=1` rewrites the expected files.
 */
const GOLDEN = join(import.meta.dirname, '..', 'golden', 'icmp');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

async function compareGolden(name: string, actual: unknown): Promise<void> {
  const path = join(GOLDEN, `${name}.expected.json`);
  const text = JSON.stringify(actual, null, 2) + '\n';
  if (UPDATE) await writeFile(path, text);
  assert.deepEqual(JSON.parse(text), JSON.parse(await readFile(path, 'utf8')), `${name} differs from ${path}`);
}

const FPING_CASES: Record<string, string[]> = {
  'fping-ok': ['127.0.0.1', '::1', '127.1.2.3'],
  'fping-mixed': ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4', '::1', 'nonexistent.invalid'],
  'fping-loss': ['127.0.0.2'],
  'fping-unknown': ['nonexistent.invalid'],
  'fping-unknown-nxdomain': ['nonexistent.invalid'],
  'fping-permission': ['127.0.0.1'],
  'fping-dgram-no-reply': ['127.0.0.1'],
};

for (const [name, hosts] of Object.entries(FPING_CASES)) {
  test(`fping golden: ${name}`, async () => {
    const stdout = await readFile(join(GOLDEN, `${name}.stdout.txt`), 'utf8');
    const stderr = await readFile(join(GOLDEN, `${name}.stderr.txt`), 'utf8');
    await compareGolden(name, {
      echoes: stdout.split('\n').map(parseFpingEchoLine).filter((echo) => echo !== undefined),
      summary: Object.fromEntries(parseFpingSummary(stderr)),
      permissionError: isFpingPermissionError(stderr),
      results: resultsFromFpingSummary(hosts, stderr),
    });
  });
}

const PING_CASES: Record<string, string> = {
  'ping-ok': '127.0.0.1',
  'ping-ipv6': '::1',
  'ping-loss': '127.0.0.2',
  'ping-unreachable': '127.0.0.3',
  'ping-partial': '127.0.0.4',
  'ping-unknown': 'nonexistent.invalid',
  'ping-unknown-nxdomain': 'nonexistent.invalid',
  'ping-permission': '127.0.0.1',
};

for (const [name, host] of Object.entries(PING_CASES)) {
  test(`ping golden: ${name}`, async () => {
    const text = await readFile(join(GOLDEN, `${name}.txt`), 'utf8');
    await compareGolden(name, {
      echoes: text.split('\n').map(parsePingEchoLine).filter((echo) => echo !== undefined),
      hasStatistics: hasPingStatistics(text),
      unknownHost: isPingUnknownHost(host, text),
      permissionError: isPingPermissionError(text),
      result: parsePingOutput(host, text),
    });
  });
}

test('fping summary lines: padding, IPv6, and lines that only look alike', () => {
  assert.deepEqual(parseFpingSummary('::1       : 0.1 - 2\nfe80::1%eth0 : -\n'), new Map([['::1', [0.1, null, 2]], ['fe80::1%eth0', [null]]]));
  assert.equal(parseFpingSummary('ICMP Host Unreachable from 127.0.0.3 for ICMP Echo sent to 127.0.0.3').size, 0);
  assert.equal(parseFpingSummary('127.0.0.1 : [0], 64 bytes, 0.1 ms (0.1 avg, 0% loss)').size, 0);
  assert.equal(parseFpingSummary('x: Name or service not known').size, 0);
});
