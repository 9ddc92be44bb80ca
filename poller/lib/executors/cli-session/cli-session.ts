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

/**
 * Prompt/pager engine shared by ssh shell mode and telnet. Everything that
 * arrives after the last `send` is captured; a pager prompt on the current
 * line is removed from the capture and answered; `waitFor` resolves when a
 * pattern matches, the per-wait timer fires, the peer closes, the job is
 * aborted, or the output budget is spent.
 */
export class CliSession {
  #capture: CappedText | null = null;
  #uncharged = '';
  #waiter: Waiter | null = null;
  #closed = false;
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
    if (this.#capture) {
      this.#capture.push(chunk);
    } else {
      this.#uncharged += chunk.toString('utf8');
      if (this.#uncharged.length > UNCHARGED_LIMIT) this.#uncharged = this.#uncharged.slice(-UNCHARGED_LIMIT);
    }
    this.#evaluate();
  }

  /** The peer went away; a pending wait resolves `closed`. */
  end(): void {
    this.#closed = true;
    this.#settle({ kind: 'closed' });
  }

  dispose(): void {
    this.options.signal.removeEventListener('abort', this.#onAbort);
  }

  /** Writes `text` and starts a fresh capture; `charge` puts what follows on the output budget. */
  send(text: string, options: { charge: boolean }): void {
    this.#capture = options.charge ? new CappedText(this.options.budget) : null;
    this.#uncharged = '';
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

  #settle(result: WaitResult): void {
    const waiter = this.#waiter;
    if (!waiter) return;
    this.#waiter = null;
    waiter.finish(result);
  }

  #evaluate(): void {
    if (!this.#waiter) return;
    this.#answerPager();
    const text = this.captured;
    const line = renderLastLine(text);
    for (const pattern of this.#waiter.patterns) {
      const haystack = pattern.scope === 'line' ? line : text;
      if (pattern.regex.test(haystack)) return this.#settle({ kind: 'match', name: pattern.name });
    }
    if (this.cut) this.#settle({ kind: 'cut' });
  }

  #answerPager(): void {
    const pager = this.options.pager;
    if (!pager) return;
    const text = this.captured;
    const line = renderLastLine(text);
    if (!pager.regex.test(line)) return;
    // Keep the rendered line without the pager text, so the prompt is neither answered twice nor left in the output.
    const rest = line.replace(pager.regex, '');
    const kept = text.slice(0, text.lastIndexOf('\n') + 1) + (rest.trim() === '' ? '' : rest);
    if (this.#capture) this.#capture.text = kept;
    else this.#uncharged = kept;
    this.transport.write(pager.answer);
  }
}
