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
  /**
   * Levels per component: a child logger bound with `component` (or with a
   * job `type` such as snmp.get, whose first word counts) gets this level.
   */
  components?: Readonly<Record<string, LevelWithSilent>>;
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
      ...(options.components && Object.keys(options.components).length > 0 ? { onChild: levelByComponent(options.components) } : {}),
    },
    options.stream ?? pino.destination({ fd: 1, sync: false }),
  );
}

/** A logger that writes nothing (pure code paths and tests that do not read logs). */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}

const LEVELS: readonly LevelWithSilent[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * `info,snmp=debug,broker=warn` -> the default level and levels per
 * component (USM_LOG_LEVEL). Throws naming the part that is wrong.
 */
export function parseLogLevelSpec(spec: string | undefined, fallback: LevelWithSilent): { level: LevelWithSilent; components: Record<string, LevelWithSilent> } {
  let level = fallback;
  const components: Record<string, LevelWithSilent> = {};
  for (const part of (spec ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [name, value] = part.includes('=') ? part.split('=', 2).map((p) => p.trim()) : [undefined, part];
    if (!LEVELS.includes(value as LevelWithSilent) || (name !== undefined && !/^[A-Za-z0-9_.-]+$/.test(name))) {
      throw new Error(`log level "${part}": expected LEVEL or COMPONENT=LEVEL with LEVEL one of ${LEVELS.join('|')}`);
    }
    if (name === undefined) level = value as LevelWithSilent;
    else components[name] = value as LevelWithSilent;
  }
  return { level, components };
}

function levelByComponent(components: Readonly<Record<string, LevelWithSilent>>) {
  return (child: Logger) => {
    const bindings = child.bindings() as { component?: unknown; type?: unknown };
    const name = typeof bindings.component === 'string' ? bindings.component : typeof bindings.type === 'string' ? bindings.type.split('.')[0] : undefined;
    const level = name === undefined ? undefined : components[name];
    if (level !== undefined) child.level = level;
  };
}
