// The reference SDK's weight-conversion vectors (provenance in test/fixtures/reference/README.md).
import { readFileSync } from 'node:fs';

export interface Golden {
  name: string;
  uids: number[];
  w: number[];
  n: number;
  minw: number;
  maxw: number;
  processed_uids: number[];
  processed: number[];
  emit_uids: number[];
  emit_weights: number[];
}

/** Computed by the reference SDK's own process_weights and convert_weights_and_uids_for_emit. */
export const GOLDEN: Golden[] = JSON.parse(
  readFileSync(new URL('../fixtures/reference/weights-golden.json', import.meta.url), 'utf8'),
);
