import { pino, type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * Keys whose values are secrets wherever they appear in a log record. Paths
 * are listed per depth because pino's redaction is path based (fast), not a
 * deep scan.
 */
const SECRET_KEYS = [
  'password', 'community', 'authKey', 'privKey', 'privateKey', 'passphrase',
  'psk', 'presharedKey', 'PresharedKey', 'secret', 'token', 'dsn', 'US_AMQP_DSN',
];

export const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]);

export interface LoggerOptions {
  level?: LevelWithSilent;
  name?: string;
  /** Where JSON lines go; defaults to stdout. Tests pass a stream and parse the records. */
  stream?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.stream ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A logger that writes nothing (pure code paths and tests that do not read logs). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
