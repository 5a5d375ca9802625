#!/usr/bin/env node
import { readCliEnv } from './config.js';
import { processIo } from './output.js';
import { runCli } from './program.js';

// Entry of the `tessera` command (bin/tessera.js imports this file).
const code = await runCli(process.argv.slice(2), { io: processIo(), env: readCliEnv() });
process.exitCode = code;
// A finished command should not linger on a handle someone forgot to close; the timer is unref'd
// so it never delays a clean exit.
setTimeout(() => process.exit(code), 2000).unref();
