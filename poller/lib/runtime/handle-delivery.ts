import type { ConsumeMessage } from 'amqplib';
import type { Logger } from '../../../common/logger.js';
import { scrubSecrets } from '../../../common/secret-text.js';
import { describeError } from '../../../common/usm-error.js';
import type { BrokerSession } from '../broker/broker-session.js';
import { decodeJob } from '../protocol/decode-job.js';
import { buildResult, type JobResult, type PollerIdentity, type ResultParts } from '../protocol/result.js';
import type { ExecutorRegistry } from '../executors/registry.js';
import { executeJob } from './execute-job.js';

export interface DeliveryContext {
  registry: ExecutorRegistry;
  identity: PollerIdentity;
  maxJobBytes: number;
  log: Logger;
  shutdown: AbortSignal;
  onResult?(result: JobResult): void;
}

/**
 * One delivery from decode to ack. The job is acked only after its result is
 * confirmed by the broker; an invalid job is rejected without requeue (it goes
 * to the dead-letter queue) after its `invalid` result is confirmed. If the
 * session died meanwhile the delivery is left to the broker, which redelivers.
 */
export async function handleDelivery(message: ConsumeMessage, session: BrokerSession, ctx: DeliveryContext): Promise<void> {
  try {
    await processDelivery(message, session, ctx);
  } catch (error) {
    // A bug must not leave the delivery unsettled (it would hold a prefetch slot until the link drops).
    ctx.log.error({ err: describeError(error) }, 'unexpected failure handling a job; dead-lettering it');
    session.deadLetter(message);
  }
}

async function processDelivery(message: ConsumeMessage, session: BrokerSession, ctx: DeliveryContext): Promise<void> {
  const props = message.properties;
  const meta = { messageId: stringOrUndefined(props.messageId), correlationId: stringOrUndefined(props.correlationId) };
  const route = { replyTo: stringOrUndefined(props.replyTo), correlationId: meta.correlationId };
  const decoded = decodeJob(message.content, meta, { maxBytes: ctx.maxJobBytes, lookup: ctx.registry.get });

  let parts: ResultParts;
  let secrets: string[];
  if (decoded.ok) {
    secrets = decoded.job.secrets;
    parts = await executeJob(decoded.job, { log: ctx.log, shutdown: ctx.shutdown });
  } else {
    const { invalid } = decoded;
    secrets = invalid.secrets;
    const now = Date.now();
    parts = {
      id: invalid.id,
      type: invalid.type,
      status: 'invalid',
      error: { code: 'E_INVALID_JOB', message: invalid.problems.join('; ') },
      startedAt: now,
      finishedAt: now,
    };
    ctx.log.warn({ job: invalid.id, problems: invalid.problems.map((line) => scrubSecrets(line, secrets)) }, 'invalid job rejected to the dead-letter queue');
  }

  const result = buildResult(parts, ctx.identity);
  const body = Buffer.from(scrubSecrets(JSON.stringify(result), secrets));
  let outcome: 'confirmed' | 'unroutable';
  try {
    outcome = await session.publisher.publish(result, body, route);
  } catch (error) {
    ctx.log.warn({ job: result.id, err: describeError(error) }, 'result not confirmed; the job will be redelivered');
    session.requeue(message);
    return;
  }
  if (outcome === 'unroutable') {
    // Nothing would receive the result (reply queue gone, nothing bound to the results exchange):
    // keep the job in the dead-letter queue rather than ack it into nowhere.
    ctx.log.warn({ job: result.id, replyTo: route.replyTo ?? null }, 'result was unroutable; the job goes to the dead-letter queue');
    session.deadLetter(message);
    ctx.onResult?.(result);
    return;
  }
  const settled = decoded.ok ? session.ack(message) : session.deadLetter(message);
  if (!settled) ctx.log.debug({ job: result.id }, 'session gone before ack; the broker redelivers the job');
  ctx.log.debug({ job: result.id, type: result.type, status: result.status, ms: result.durationMs }, 'job done');
  ctx.onResult?.(result);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
