#!/usr/bin/env node
import { main } from './index.js';

// A daemon's work is over once main resolves (drained, results published, logs flushed):
// exit then, rather than wait for idle timers of libraries to run down.
main().then(
  () => process.exit(),
  (error: unknown) => {
    process.stderr.write(`usm-poller: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
