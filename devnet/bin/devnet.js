#!/usr/bin/env node
'use strict';
// `npm run devnet`: a local subtensor chain with the demo subnet. The code is compiled TypeScript
// in lib/ (built by `npm install` and by `npm run devnet`).
require('../lib/main.js')
  .main(process.argv.slice(2))
  .then((code) => {
    if (code !== undefined) process.exitCode = code;
  });
