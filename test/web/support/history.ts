// A weight history written the way production writes it: the real publish cycle
// (runPublishCycle) against an in-process devnet, with curated leads in the Firestore emulator.
// Only the clock is set, so that two days of hourly-ish publishes fit in a test run.
import { Writable } from 'node:stream';
import type { KeyringPair } from '@polkadot/keyring/types';
import { Timestamp, type Firestore } from 'firebase-admin/firestore';
import { DEFAULT_SCORING_CONFIG } from '../../../functions/src/config/scoring';
import type { TriggerKind } from '../../../functions/src/publishing/audit';
import { runPublishCycle, type CycleOutcome } from '../../../functions/src/publishing/run';
import {
  devnetPublishConfig,
  sealOnSubmit,
  setupSubnet,
  type TestChain,
} from '../../support/devnet';
import { recordingLogger } from '../../support/logger';

export const NETUID = 71;
const HOUR_MS = 3_600_000;

export interface History {
  miners: KeyringPair[];
  /** Every outcome, oldest first. */
  outcomes: CycleOutcome[];
  /** Runs one more cycle now (the live test). */
  publishNow(trigger: TriggerKind): Promise<CycleOutcome>;
  /** Produces blocks until the open hash commit's reveal window is open. */
  reachRevealWindow(): Promise<void>;
}

const quiet = () => new Writable({ write: (_c, _e, done) => done() });

/**
 * On a hash commit-reveal runtime: set_weights publishes whose shares move as leads arrive, a
 * rate-limited run, a refusal (no validator permit), then commit-reveal switched on: a commit,
 * a run that waits for its reveal, the reveal (linked to its commit) and a new commit left open.
 */
export async function writeHistory(
  db: Firestore,
  projectId: string,
  chain: TestChain,
): Promise<History> {
  sealOnSubmit(chain);
  const miners = await setupSubnet(chain, {
    netuid: NETUID,
    miners: 8,
    params: { weightsSetRateLimit: 2, tempo: 9, revealPeriodEpochs: 1 },
  });
  const unregistered = chain.keyring.addFromUri('//NotOnTheSubnet');
  const outcomes: CycleOutcome[] = [];
  /** The last hash commit that landed. */
  let open: CycleOutcome | undefined;
  let clock = Date.now() - 62 * HOUR_MS;
  let leadCount = 0;

  const lead = (fields: Record<string, unknown>) =>
    db
      .collection('curated_leads')
      .doc(`lead-${String(++leadCount).padStart(3, '0')}`)
      .set(fields);
  const leadsAt = async (at: number, k: number) => {
    // Curators rotate quickly and sources slowly, so that the shares move from run to run.
    for (let j = 0; j < 3; j++)
      await lead({
        curated_by: miners[(k * 3 + j) % miners.length].address,
        source: miners[Math.floor(k / 2 + j * 3) % miners.length].address,
        created_at: Timestamp.fromMillis(at - 60_000 * (j + 1)),
      });
  };
  const cycle = (trigger: TriggerKind, at?: number) => {
    // Each call of the cycle's clock is a second later, so its records keep their order.
    let t = at ?? Date.now();
    return runPublishCycle({
      db,
      projectId,
      signer: chain.alice,
      scoring: DEFAULT_SCORING_CONFIG,
      publishing: devnetPublishConfig(chain, NETUID),
      log: recordingLogger(),
      trigger: { kind: trigger, ref: `${trigger}-${outcomes.length + 1}` },
      holder: `web-test-${outcomes.length + 1}`,
      nowMs: at === undefined ? undefined : () => (t += 1000),
      auditTransport: quiet(),
    }).then((outcome) => {
      outcomes.push(outcome);
      const landed = ['included', 'finalized'].includes(outcome.result.status);
      if (landed && outcome.result.mode === 'commit') open = outcome;
      return outcome;
    });
  };
  const triggers: TriggerKind[] = ['schedule', 'curated_lead', 'task', 'curated_lead', 'cli'];

  // Leads the scoring skips and reports: no source, and a curator that is no SS58 address.
  await lead({ curated_by: miners[0].address, created_at: Timestamp.fromMillis(clock - HOUR_MS) });
  await lead({
    curated_by: 'not-a-hotkey',
    source: miners[1].address,
    created_at: Timestamp.fromMillis(clock - HOUR_MS),
  });
  // A miner that scores but has no uid on the subnet: listed as unregistered.
  await lead({
    curated_by: unregistered.address,
    source: unregistered.address,
    created_at: Timestamp.fromMillis(clock - HOUR_MS),
  });

  for (let k = 0; k < 12; k++) {
    await leadsAt(clock, k);
    await chain.advance(3);
    await cycle(triggers[k % triggers.length], clock);
    if (k === 3) await cycle('curated_lead', clock + 120_000); // too early: rate-limited
    if (k === 5) {
      await chain.control('setValidatorPermit', NETUID, 0, false);
      await chain.advance(3);
      await cycle('schedule', clock + 2 * HOUR_MS); // refused: the validator has no permit
      await chain.control('setValidatorPermit', NETUID, 0, true);
    }
    clock += 4 * HOUR_MS;
  }

  await chain.control('setHyperparameter', 'commitRevealWeightsEnabled', NETUID, true);
  await leadsAt(clock, 12);
  await chain.advance(3);
  // At the start of an epoch, so that the reveal window (the next epoch) is some blocks away.
  await chain.control('advanceToNextEpoch', NETUID);
  await cycle('schedule', clock); // a hash commit
  await cycle('task', clock + 10 * 60_000); // too early to reveal: waits, sends nothing new
  await reachRevealWindow();
  clock += 2 * HOUR_MS;
  await leadsAt(clock, 13);
  await cycle('task', clock); // reveals the commit, then commits anew (left open)

  // The tests rely on this shape; say so plainly if the publisher's behaviour changed.
  const shape = outcomes.map(
    ({ result }) => `${result.status}:${result.mode}:${result.error_code ?? ''}`,
  );
  for (const expected of [
    'rate-limited:set_weights:SettingWeightsTooFast',
    'failed:set_weights:NeuronNoValidatorPermit',
    'skipped:commit:RevealPending',
  ])
    if (!shape.includes(expected))
      throw new Error(`history lacks ${expected}: ${shape.join(', ')}`);
  if (!outcomes.at(-1)?.followUps.some((f) => f.outcome === 'revealed') || open !== outcomes.at(-1))
    throw new Error(`history should end with a reveal and a new open commit: ${shape.join(', ')}`);

  return { miners, outcomes, reachRevealWindow, publishNow: (trigger) => cycle(trigger) };

  /** Produces blocks until the window the publisher recorded for the open commit. */
  async function reachRevealWindow() {
    if (!open) throw new Error('no open commit');
    const record = await db.collection('weight_transactions').doc(open.record.id).get();
    const first = Number(record.get('first_reveal_block'));
    if (!Number.isInteger(first)) throw new Error(`commit ${open.record.id} has no reveal window`);
    while (chain.devnet.chain.best.number + 1 < first) await chain.advance();
  }
}
