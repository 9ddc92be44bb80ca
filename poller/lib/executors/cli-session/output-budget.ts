import { StringDecoder } from 'node:string_decoder';

/**
 * A byte cap shared by every output of one job, so a device that streams
 * forever (or a huge running-config) cannot exhaust the poller's memory or
 * produce a result the broker refuses. Text is decoded as UTF-8 with a
 * streaming decoder so a multi-byte character split across packets survives.
 */
export class OutputBudget {
  #remaining: number;
  #truncated = false;

  constructor(readonly maxBytes: number) {
    this.#remaining = maxBytes;
  }

  get truncated(): boolean {
    return this.#truncated;
  }

  get exhausted(): boolean {
    return this.#remaining <= 0;
  }

  /** Returns the part of `chunk` that still fits; marks the budget truncated when something was cut. */
  take(chunk: Buffer): Buffer {
    if (chunk.length <= this.#remaining) {
      this.#remaining -= chunk.length;
      return chunk;
    }
    const kept = chunk.subarray(0, Math.max(0, this.#remaining));
    this.#remaining = 0;
    this.#truncated = true;
    return kept;
  }
}

/** A text sink that decodes UTF-8 across chunk boundaries and charges a shared budget. */
export class CappedText {
  readonly #decoder = new StringDecoder('utf8');
  #text = '';
  #cut = false;

  constructor(private readonly budget: OutputBudget) {}

  /** Appends what fits; returns false once this sink was cut by the budget. */
  push(chunk: Buffer): boolean {
    this.append(chunk);
    return !this.#cut;
  }

  /** Appends what fits and returns the text that was added (so a caller can follow the stream without rereading it all). */
  append(chunk: Buffer): string {
    if (this.#cut) return '';
    const kept = this.budget.take(chunk);
    const added = this.#decoder.write(kept);
    this.#text += added;
    if (kept.length < chunk.length) this.#cut = true;
    return added;
  }

  get cut(): boolean {
    return this.#cut;
  }

  get text(): string {
    return this.#text;
  }

  /** Replaces the collected text (used to drop an answered pager prompt). */
  set text(value: string) {
    this.#text = value;
  }
}
