#!/usr/bin/env node
// Thin launcher: the compiled CLI lives in ../dist (built by `npm ci` via the root `prepare` script).
import('../dist/main.js').catch((err) => {
  process.stderr.write(
    `tessera: cannot start (${err && err.message ? err.message : err}); run \`npm run build\`\n`,
  );
  process.exit(1);
});
