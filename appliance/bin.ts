#!/usr/bin/env node
import { main } from './index.js';

main().catch((error: unknown) => {
  process.stderr.write(`usm-appliance: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
