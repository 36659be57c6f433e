// Benchmark: time from "scores ready" to "inclusion reported" for one publish, and the JSON-RPC
// requests it makes, for subnets of 16, 256 and 1024 neurons, against devnet (in-process, a block
// sealed as soon as the extrinsic arrives, so the figures are the publisher's own cost).
// Run: npm run bench. Shared machines are noisy: compare the ratios within one run.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const { Devnet } = require('../devnet/lib/devnet.js');
const { publishWeights } = require('../functions/lib/publishing/publish.js');
const { hotkeyFromSecret } = require('../functions/lib/chain/hotkey.js');
const { encodeAddress, blake2AsU8a } = require('@polkadot/util-crypto');

const SIZES = [16, 256, 1024];
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const quiet = { info() {}, warn() {}, error() {} };

async function measure(neurons) {
  const devnet = await Devnet.start({ finalityLag: 1 });
  const netuid = 1;
  try {
    const signer = await hotkeyFromSecret('//Alice', { allowDevelopmentKeys: true });
    const miners = Array.from({ length: neurons - 1 }, (_, i) =>
      encodeAddress(blake2AsU8a(`bench miner ${i}`), 42),
    );
    const { controls, chain } = devnet;
    controls.createSubnet({
      netuid,
      commitRevealWeightsEnabled: false,
      weightsSetRateLimit: 0,
      maxAllowedUids: 4096,
    });
    controls.registerNeurons(netuid, [signer.address, ...miners]);
    controls.setValidatorPermit(netuid, 0, true);
    controls.advanceBlocks(1);
    chain.on('submitted', () => setImmediate(() => chain.produceBlock()));
    // Every miner scored, as after a busy month of leads: the publisher sees only these shares.
    const shares = Object.fromEntries(
      miners.map((hotkey, i) => [hotkey, (i + 1) / ((neurons * (neurons - 1)) / 2)]),
    );
    const config = {
      endpoint: { network: 'custom', url: devnet.url },
      netuid,
      waitFor: 'inclusion',
      emptyPolicy: { kind: 'uniform' },
      minVersionKey: 0n,
      connectTimeoutMs: 10_000,
      readTimeoutMs: 10_000,
      inclusionTimeoutMs: 30_000,
      attempts: 1,
      retryBaseDelayMs: 0,
    };
    const times = [];
    let requests = 0;
    for (let run = 0; run < RUNS; run++) {
      const before = devnet.traffic.requests;
      const started = performance.now();
      const result = await publishWeights({ shares, signer, config, log: quiet });
      times.push(performance.now() - started);
      requests = devnet.traffic.requests - before;
      if (result.status !== 'included')
        throw new Error(`publish ${result.status}: ${result.reason}`);
      if (result.allocation.length !== neurons - 1)
        throw new Error(`sent ${result.allocation.length} weights, expected ${neurons - 1}`);
    }
    times.sort((a, b) => a - b);
    return {
      neurons,
      median: times[Math.floor(times.length / 2)],
      min: times[0],
      max: times.at(-1),
      requests,
    };
  } finally {
    await devnet.stop();
  }
}

const rows = [];
for (const neurons of SIZES) rows.push(await measure(neurons));
const base = rows[0];
console.log(
  `publish: scores ready → inclusion reported, ${RUNS} runs each (median, min–max), devnet in-process`,
);
console.log('neurons  median ms   min–max ms       RPC requests   time ×16   requests ×16');
for (const r of rows) {
  console.log(
    `${String(r.neurons).padStart(7)}  ${r.median.toFixed(1).padStart(9)}   ${`${r.min.toFixed(1)}–${r.max.toFixed(1)}`.padEnd(15)}  ${String(r.requests).padStart(12)}   ${(r.median / base.median).toFixed(2).padStart(8)}   ${(r.requests / base.requests).toFixed(2).padStart(12)}`,
  );
}
console.log(
  'Leads do not enter publishing: it receives one share per miner, whatever the number of leads.',
);
