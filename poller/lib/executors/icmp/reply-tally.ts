import type { HostResult } from './host-result.js';
import { silentHost, summarizeReplies } from './host-result.js';

/**
 * Echoes seen so far per host, for partial data when a job runs out of time.
 * Keyed by echo number so duplicate replies count once; finished hosts keep
 * their final result.
 */
export class ReplyTally {
  private readonly echoes = new Map<string, (number | null)[]>();
  private readonly finished = new Map<string, HostResult>();
  private dirty = true;

  constructor(private readonly hosts: readonly string[]) {}

  /** `seq` is 0-based. A reply's RTT wins over an earlier "no reply" for the same echo. */
  recordEcho(host: string, seq: number, rttMs: number | null): void {
    let list = this.echoes.get(host);
    if (!list) {
      list = [];
      this.echoes.set(host, list);
    }
    while (list.length <= seq) list.push(null);
    if (list[seq] === null) list[seq] = rttMs;
    this.dirty = true;
  }

  recordResult(result: HostResult): void {
    this.finished.set(result.host, result);
    this.dirty = true;
  }

  /** True once per batch of changes, so callers rebuild the snapshot only when needed. */
  takeChanged(): boolean {
    const changed = this.dirty;
    this.dirty = false;
    return changed;
  }

  snapshot(): HostResult[] {
    return this.hosts.map((host) => {
      const done = this.finished.get(host);
      if (done) return done;
      const list = this.echoes.get(host);
      return list ? summarizeReplies(host, list) : silentHost(host, 0);
    });
  }
}
