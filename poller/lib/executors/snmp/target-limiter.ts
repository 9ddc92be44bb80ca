/**
 * Caps in-flight SNMP requests per target (host:port) so one poller cannot
 * flood a device's CPU-bound agent; further requests wait in FIFO order.
 * Entries vanish when a target has nothing in flight or queued, so the map
 * does not grow with the number of devices ever polled.
 */
export class TargetLimiter {
  private readonly targets = new Map<string, { active: number; queue: Array<() => void> }>();

  constructor(private readonly maxInFlight: number) {}

  /** Resolves with a release function, or null when `signal` aborts while queued. */
  acquire(target: string, signal: AbortSignal): Promise<(() => void) | null> {
    if (signal.aborted) return Promise.resolve(null);
    let entry = this.targets.get(target);
    if (!entry) {
      entry = { active: 0, queue: [] };
      this.targets.set(target, entry);
    }
    const slot = entry;
    const release = () => this.release(target, slot);
    if (slot.active < this.maxInFlight) {
      slot.active++;
      return Promise.resolve(once(release));
    }
    return new Promise((resolve) => {
      const start = () => {
        signal.removeEventListener('abort', onAbort);
        slot.active++;
        resolve(once(release));
      };
      const onAbort = () => {
        const index = slot.queue.indexOf(start);
        if (index >= 0) slot.queue.splice(index, 1);
        this.forgetIfIdle(target, slot);
        resolve(null);
      };
      slot.queue.push(start);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  inFlight(target: string): number {
    return this.targets.get(target)?.active ?? 0;
  }

  private release(target: string, slot: { active: number; queue: Array<() => void> }): void {
    slot.active--;
    const next = slot.queue.shift();
    if (next) next();
    else this.forgetIfIdle(target, slot);
  }

  private forgetIfIdle(target: string, slot: { active: number; queue: Array<() => void> }): void {
    if (slot.active === 0 && slot.queue.length === 0 && this.targets.get(target) === slot) this.targets.delete(target);
  }
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    fn();
  };
}
