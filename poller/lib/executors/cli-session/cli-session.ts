import { CappedText, type OutputBudget } from './output-budget.js';
import { renderLastLine } from './terminal-text.js';
import type { PagerSpec } from './cli-params.js';

/** The byte stream under a session: an SSH shell channel or a telnet connection with IAC already removed. */
export interface CliTransport {
  write(text: string): void;
}

export interface WaitPattern {
  name: string;
  regex: RegExp;
  /** `line`: the line being written (prompts); `text`: anything captured since the last send (error messages). */
  scope: 'line' | 'text';
}

export type WaitResult =
  | { kind: 'match'; name: string }
  | { kind: 'timeout' }
  | { kind: 'closed' }
  | { kind: 'aborted' }
  | { kind: 'cut' };

interface Waiter {
  patterns: readonly WaitPattern[];
  finish(result: WaitResult): void;
}

// Text seen while logging in is not charged to the output budget but is still bounded.
const UNCHARGED_LIMIT = 64 * 1024;
/** User regexes see at most this much: the rendered current line (`line`) or the end of the capture (`text`). */
export const HAYSTACK_LIMIT = 4096;
// Raw text of the current line kept for rendering it: escapes and overwrites make raw text longer than what it shows.
const LINE_TAIL_LIMIT = 4 * HAYSTACK_LIMIT;

/**
 * Prompt/pager engine shared by ssh shell mode and telnet. Everything that
 * arrives after the last `send` is captured; a pager prompt on the current
 * line is removed from the capture and answered; `waitFor` resolves when a
 * pattern matches, the per-wait timer fires, the peer closes, the job is
 * aborted, or the output budget is spent.
 *
 * The work per packet is bounded whatever the device sends: the current
 * line and the end of the capture are followed incrementally (tails of fixed
 * size), and patterns are tried once per event-loop turn, not once per
 * packet (an SSH peer can send a million one-byte messages in one read).
 */
export class CliSession {
  #capture: CappedText | null = null;
  #uncharged = '';
  /** Raw text after the last newline (its last LINE_TAIL_LIMIT chars) and its full length in the capture. */
  #lineTail = '';
  #lineLength = 0;
  /** The last HAYSTACK_LIMIT chars captured since the last send. */
  #textTail = '';
  #waiter: Waiter | null = null;
  #closed = false;
  #pending: NodeJS.Immediate | undefined;
  readonly #onAbort = () => this.#settle({ kind: 'aborted' });

  constructor(
    private readonly transport: CliTransport,
    private readonly options: { pager?: PagerSpec | undefined; budget: OutputBudget; signal: AbortSignal },
  ) {
    options.signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Raw text captured since the last send. */
  get captured(): string {
    return this.#capture ? this.#capture.text : this.#uncharged;
  }

  get cut(): boolean {
    return this.#capture?.cut ?? false;
  }

  feed(chunk: Buffer): void {
    let added: string;
    if (this.#capture) {
      added = this.#capture.append(chunk);
    } else {
      added = chunk.toString('utf8');
      this.#uncharged += added;
      // Trimmed only at twice the limit, so the copy is paid once per UNCHARGED_LIMIT bytes, not once per packet.
      if (this.#uncharged.length > 2 * UNCHARGED_LIMIT) this.#uncharged = this.#uncharged.slice(-UNCHARGED_LIMIT);
    }
    this.#follow(added);
    if (this.#waiter && !this.#pending) this.#pending = setImmediate(() => this.#flush());
  }

  /** The peer went away; a pending wait resolves `closed` (after looking at what arrived just before). */
  end(): void {
    this.#closed = true;
    this.#flush();
    this.#settle({ kind: 'closed' });
  }

  dispose(): void {
    this.options.signal.removeEventListener('abort', this.#onAbort);
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
  }

  /** Writes `text` and starts a fresh capture; `charge` puts what follows on the output budget. */
  send(text: string, options: { charge: boolean }): void {
    this.#capture = options.charge ? new CappedText(this.options.budget) : null;
    this.#uncharged = '';
    this.#lineTail = '';
    this.#lineLength = 0;
    this.#textTail = '';
    this.transport.write(text);
  }

  waitFor(patterns: readonly WaitPattern[], timeoutMs: number): Promise<WaitResult> {
    if (this.#waiter) throw new Error('CliSession: one wait at a time');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#settle({ kind: 'timeout' }), timeoutMs);
      this.#waiter = {
        patterns,
        finish: (result) => {
          clearTimeout(timer);
          resolve(result);
        },
      };
      if (this.options.signal.aborted) return this.#settle({ kind: 'aborted' });
      this.#evaluate();
      if (this.#closed) this.#settle({ kind: 'closed' });
    });
  }

  #follow(added: string): void {
    if (added === '') return;
    const newline = added.lastIndexOf('\n');
    if (newline >= 0) {
      this.#lineTail = added.slice(newline + 1);
      this.#lineLength = added.length - newline - 1;
    } else {
      this.#lineTail += added;
      this.#lineLength += added.length;
    }
    if (this.#lineTail.length > LINE_TAIL_LIMIT) this.#lineTail = this.#lineTail.slice(-LINE_TAIL_LIMIT);
    this.#textTail = added.length >= HAYSTACK_LIMIT ? added.slice(-HAYSTACK_LIMIT) : (this.#textTail + added).slice(-HAYSTACK_LIMIT);
  }

  #flush(): void {
    if (this.#pending) clearImmediate(this.#pending);
    this.#pending = undefined;
    this.#evaluate();
  }

  #settle(result: WaitResult): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = null;
    waiter.finish(result);
  }

  #evaluate(): void {
    if (!this.#waiter) return;
    const line = this.#answerPager(renderLastLine(this.#lineTail, HAYSTACK_LIMIT));
    for (const pattern of this.#waiter.patterns) {
      const haystack = pattern.scope === 'line' ? line : this.#textTail;
      if (pattern.regex.test(haystack)) return this.#settle({ kind: 'match', name: pattern.name });
    }
    if (this.cut) this.#settle({ kind: 'cut' });
  }

  /** Answers a pager prompt on the current line; returns the line as it stands afterwards. */
  #answerPager(line: string): string {
    const pager = this.options.pager;
    if (!pager || !pager.regex.test(line)) return line;
    // Keep the rendered line without the pager text, so the prompt is neither answered twice nor left in the output.
    const rest = line.replace(pager.regex, '');
    const kept = rest.trim() === '' ? '' : rest;
    const text = this.captured;
    const replaced = text.slice(0, Math.max(0, text.length - this.#lineLength)) + kept;
    if (this.#capture) this.#capture.text = replaced;
    else this.#uncharged = replaced;
    this.#lineTail = kept;
    this.#lineLength = kept.length;
    this.#textTail = replaced.slice(-HAYSTACK_LIMIT);
    this.transport.write(pager.answer);
    return kept;
  }
}
