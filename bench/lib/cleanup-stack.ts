/**
 * Undo steps (kill a process, delete a namespace or a vhost) run in reverse
 * order, each at most once, whatever failed before: a benchmark must not leave
 * namespaces, wireguard-go daemons or vhosts behind, even when interrupted.
 */
export class CleanupStack {
  readonly #steps: Array<{ what: string; run: () => Promise<unknown> | unknown }> = [];

  push(what: string, run: () => Promise<unknown> | unknown): void {
    this.#steps.push({ what, run });
  }

  async runAll(onError: (what: string, error: unknown) => void = () => {}): Promise<void> {
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step.run();
      } catch (error) {
        onError(step.what, error);
      }
    }
  }
}
