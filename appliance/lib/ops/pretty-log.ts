import { Writable } from 'node:stream';

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
export const LEVEL_VALUES: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
// Shown in the line's head, or not at all: the rest go to key=value pairs.
const HEAD_KEYS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'component', 'v']);

/**
 * Pure: one pino JSON line as one line for people,
 * `12:00:01.234 INFO  usm-poller[snmp] message key=value ...`.
 * Lines that are not pino records pass through unchanged.
 */
export function formatLogLine(line: string, minLevel = 0): string | null {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as { level?: unknown }).level !== 'number') return line;
    record = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = record.level as number;
  if (level < minLevel) return null;
  const time = typeof record.time === 'string' ? record.time.slice(11, 23) : typeof record.time === 'number' ? new Date(record.time).toISOString().slice(11, 23) : '';
  const who = `${typeof record.name === 'string' ? record.name : ''}${typeof record.component === 'string' ? `[${record.component}]` : ''}`;
  const pairs = Object.entries(record)
    .filter(([key]) => !HEAD_KEYS.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  return [time, (LEVEL_NAMES[level] ?? String(level)).padEnd(5), who, typeof record.msg === 'string' ? record.msg : '', ...pairs].filter(Boolean).join(' ');
}

/** A stream for pino that writes each record through formatLogLine to `out`. */
export function createPrettyStream(out: NodeJS.WritableStream, minLevel = 0): Writable {
  let pending = '';
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const text = lines.map((line) => formatLogLine(line, minLevel)).filter((line): line is string => line !== null).join('\n');
      if (text) out.write(`${text}\n`);
      callback();
    },
    final(callback) {
      const last = pending ? formatLogLine(pending, minLevel) : null;
      if (last) out.write(`${last}\n`);
      callback();
    },
  });
}
