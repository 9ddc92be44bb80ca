// tsc does not set the executable bit; npm links bins only for dependencies, so set it for our own.
import { chmodSync, existsSync } from 'node:fs';
for (const bin of ['dist/poller/bin.js', 'dist/appliance/bin.js']) if (existsSync(bin)) chmodSync(bin, 0o755);
