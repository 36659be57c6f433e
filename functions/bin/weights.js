#!/usr/bin/env node
'use strict';
// The `weights` command. The code is compiled TypeScript in lib/ (built by `npm install`).
let cli;
try {
  cli = require('../lib/cli/main.js');
} catch (error) {
  if (error && error.code === 'MODULE_NOT_FOUND') {
    console.error('weights: the functions are not built yet; run `npm run build` in the repo root');
    process.exit(1);
  }
  throw error;
}
cli.run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
