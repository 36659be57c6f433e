/**
 * From scored shares to what is sent, without I/O: place each scored hotkey at its uid (dropping
 * the unregistered ones), leave out uids whose hotkey changed since the read, apply the
 * empty-weights policy, and convert as the reference SDK does (adjusted only where the runtime
 * would refuse the SDK's vector). The result is one row per uid sent,
 * carried as it is to the report and the audit record.
 */
import type { EmptyPolicy } from '../config/publishing';
import { acceptedWeights } from '../weights/acceptance';
import type { SubnetLimits } from '../weights/process';

export interface AllocationRow {
  uid: number;
  /** The scored hotkey at this uid; undefined for a uid weighted only by the minimum fill or the policy. */
  hotkey?: string;
  /** The miner's scored share, 0 when none. */
  share: number;
  /** The u16 value sent for this uid. */
  u16: number;
}

export interface Placement {
  /** Uid → the scored hotkey registered there, in the order the chain read returned them. */
  hotkeyAt: Map<number, string>;
  /** Scored hotkeys with no uid on the subnet: their share is dropped. */
  unregistered: string[];
}

/** Where the scored hotkeys sit, given the uid of each registered one (as read from the chain). */
export function place(
  shares: Readonly<Record<string, number>>,
  uidOf: ReadonlyMap<string, number>,
): Placement {
  return {
    hotkeyAt: new Map([...uidOf].map(([hotkey, uid]) => [uid, hotkey])),
    unregistered: Object.keys(shares).filter((hotkey) => !uidOf.has(hotkey)),
  };
}

/** The uids whose hotkey `now` differs from the placed one: they must not get the weight. */
export function reassignedUids(
  hotkeyAt: ReadonlyMap<number, string>,
  now: ReadonlyMap<number, string>,
): number[] {
  return [...hotkeyAt].filter(([uid, hotkey]) => now.get(uid) !== hotkey).map(([uid]) => uid);
}

export function withoutUids(
  hotkeyAt: ReadonlyMap<number, string>,
  uids: readonly number[],
): Map<number, string> {
  return new Map([...hotkeyAt].filter(([uid]) => !uids.includes(uid)));
}

export type Allocation =
  | { rows: AllocationRow[] }
  | { refused: { status: 'skipped' | 'failed'; code: string; reason: string } };

/** The rows to send for the placed hotkeys' shares, with the empty-weights policy. */
export function allocate(
  shares: Readonly<Record<string, number>>,
  hotkeyAt: ReadonlyMap<number, string>,
  subnet: SubnetLimits & { netuid: number },
  policy: EmptyPolicy,
): Allocation {
  const scores = new Array<number>(subnet.neurons).fill(0);
  for (const [uid, hotkey] of hotkeyAt)
    if (uid < subnet.neurons) scores[uid] += shares[hotkey] ?? 0;
  if (!scores.some((s) => s > 0)) {
    if (policy.kind === 'skip') {
      return {
        refused: {
          status: 'skipped',
          code: 'NoActiveMiners',
          reason: 'no registered miner has a share, and the empty-weights policy is skip',
        },
      };
    }
    if (policy.kind === 'burn') {
      if (policy.uid >= subnet.neurons) {
        return {
          refused: {
            status: 'failed',
            code: 'InvalidBurnUid',
            reason: `the burn uid ${policy.uid} is not on subnet ${subnet.netuid} (${subnet.neurons} neurons)`,
          },
        };
      }
      scores[policy.uid] = 1;
    }
  }
  // One score per uid 0 … n−1 (the SDK's dense layout), so the minimum fill lands on the right uids.
  // The SDK's vector, or the nearest one the runtime accepts (docs/weight-acceptance.md).
  const accepted = acceptedWeights(
    scores.map((_, uid) => uid),
    scores,
    subnet,
  );
  if ('refused' in accepted) return { refused: { status: 'failed', ...accepted.refused } };
  const sent = accepted.weights;
  return {
    rows: sent.uids.map((uid, i) => {
      const hotkey = hotkeyAt.get(uid);
      return hotkey === undefined
        ? { uid, share: 0, u16: sent.values[i] }
        : { uid, hotkey, share: shares[hotkey] ?? 0, u16: sent.values[i] };
    }),
  };
}
