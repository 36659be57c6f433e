/** What a publish or reveal attempt returns: always a result, never a throw, so it can be recorded. */
import type { AllocationRow } from './allocation';

/**
 * `submitting`: signed and about to be sent, the record written first (write-ahead); a later run
 * reconciles it. `dropped`: its era passed and no block holds it.
 */
export type PublishStatus =
  | 'included'
  | 'finalized'
  | 'failed'
  | 'rate-limited'
  | 'skipped'
  | 'dry-run'
  | 'submitting'
  | 'dropped';
/** What was (or would be) sent: weights, a commit of either scheme, or a hash commit's reveal. */
export type PublishMode = 'set_weights' | 'timelocked_commit' | 'commit' | 'reveal';

export interface PublishResult {
  status: PublishStatus;
  /** Why nothing landed (failed, rate-limited, skipped), in words. */
  reason?: string;
  /** The chain's error name (module error, 1010 custom error, …) or a short code of ours. */
  error_code?: string;
  retryable?: boolean;
  mode: PublishMode;
  /** The subnet mechanism weighted, where the runtime has mechanisms (docs/mechanisms.md). */
  mechanism?: number;
  /** MechanismCountCurrent and MechanismEmissionSplit (u16 proportions) at the block read. */
  mechanism_count?: number;
  emission_split?: number[];
  network: string;
  endpoint: string;
  netuid: number;
  validator_hotkey: string;
  validator_uid?: number;
  block_number?: number;
  block_hash?: string;
  extrinsic_hash?: string;
  extrinsic_index?: number;
  /** The signed extrinsic's nonce and mortal era (first and last block it can be included in). */
  nonce?: number;
  era_start?: number;
  era_end?: number;
  /** The chain the extrinsic was signed for, and the block its signature commits to. */
  genesis_hash?: string;
  checkpoint_block?: number;
  checkpoint_hash?: string;
  /** The signed extrinsic itself, so that a later run can send the same bytes again. */
  extrinsic_hex?: string;
  /** What was (or would be) sent, one row per uid in uid order. */
  allocation: AllocationRow[];
  version_key?: string;
  spec_version?: number;
  unregistered_hotkeys: string[];
  /** Uids whose hotkey changed between scoring and sending: they got nothing. */
  reassigned_uids?: number[];
  next_allowed_block?: number;
  eta_seconds?: number;
  /** Seconds per block, as the runtime states it (Aura.SlotDuration) or subtensor's 12 s. */
  block_seconds?: number;
  /** Commits: the commit's id (hash, or the ciphertext's blake2), reveal epoch and first block. */
  commit_id?: string;
  reveal_epoch?: number;
  first_reveal_block?: number;
  last_reveal_block?: number;
  /** Timelocked commits: the drand round the chain reveals at. */
  reveal_round?: string;
  attempts: number;
  timings: { total_ms: number; connect_ms?: number; read_ms?: number; submit_ms?: number };
}

export type Timings = Omit<PublishResult['timings'], 'total_ms'>;
/** What one attempt found out; withRetries adds the request's own fields and the totals. */
export type Outcome = Omit<
  PublishResult,
  'network' | 'endpoint' | 'netuid' | 'validator_hotkey' | 'attempts' | 'timings'
> & {
  timings?: Timings;
};

/** The fields of an attempt that sent nothing. */
export const nothingSent = (): Pick<Outcome, 'allocation' | 'unregistered_hotkeys'> => ({
  allocation: [],
  unregistered_hotkeys: [],
});
