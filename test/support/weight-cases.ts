// Random weight-setting cases for the acceptance property tests (seeded, so a failure replays).

/** A small seeded generator (mulberry32), so a failure can be replayed. */
export function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { next, int };
}

export interface Case {
  n: number;
  minw: number;
  limit: number;
  scores: number[];
}

/** Random shares over a random subnet, with limits often near a binding value. */
export function randomCase(rng: ReturnType<typeof random>, maxNeurons = 300): Case {
  const n = rng.int(1, maxNeurons);
  const minw = rng.next() < 0.3 ? 0 : rng.int(1, Math.min(n + 3, 64));
  const kind = rng.next();
  const limit =
    kind < 0.15
      ? 65535
      : kind < 0.6
        ? // near 1/k of the total for a small k: the cap binds
          Math.min(65535, Math.round(65535 / rng.int(1, 12)) + rng.int(-50, 50))
        : rng.int(1, 65535);
  const active = rng.int(0, Math.min(n, rng.next() < 0.5 ? 8 : n));
  const scores = new Array<number>(n).fill(0);
  for (let i = 0; i < active; i++) {
    const uid = rng.int(0, n - 1);
    scores[uid] = rng.next() < 0.1 ? rng.next() * 1e-6 : rng.next();
  }
  const total = scores.reduce((a, b) => a + b, 0);
  return { n, minw, limit, scores: total > 0 ? scores.map((s) => s / total) : scores };
}
