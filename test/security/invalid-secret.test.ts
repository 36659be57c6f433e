// A publish task whose hotkey secret yields no key is recorded, once, as InvalidHotkeySecret,
// never retried, the secret never echoed (issue 12, finding 5); a development URI counts as such
// a secret against a chain that is not local (finding 6).
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import * as handlers from '../../functions/src/triggers/handlers';
import type { PublishTask, TaskQueue } from '../../functions/src/triggers/schedule-publish';
import { testFirestore } from '../support/firestore';
import { recordingLogger } from '../support/logger';

const store = testFirestore('invalid-secret');

class RecordingQueue implements TaskQueue {
  readonly tasks: PublishTask[] = [];
  async enqueue(task: PublishTask) {
    this.tasks.push(task);
  }
}

afterAll(() => store.close());
beforeEach(() => store.clear());

async function publishWith(secret: string, endpoint: string) {
  const queue = new RecordingQueue();
  const log = recordingLogger();
  const deps: handlers.PipelineDeps = {
    db: store.db,
    projectId: store.projectId,
    queue,
    log,
    // Nothing listens there: a run that got as far as connecting would fail differently.
    env: { SUBTENSOR_NETWORK: endpoint, PUBLISH_ATTEMPTS: '1', CHAIN_CONNECT_TIMEOUT_MS: '1000' },
    sleep: async () => undefined,
  };
  await handlers.onCuratedLead(deps, 'lead-1');
  const outcome = await handlers.onPublishTask(deps, queue.tasks[0], secret);
  return { outcome, log };
}

describe('a hotkey secret that yields no key', () => {
  it.each([
    ['a word with a path', 'coldwallet/hotkey7', 'ws://127.0.0.1:1'],
    [
      'a mnemonic with a wrong word',
      'legal winner thank year wave sausage worth useful legal winner thank zebra',
      'ws://127.0.0.1:1',
    ],
    // An IPv4-mapped loopback address: not a local chain for the development-key rule, and
    // only loopback traffic should a run get as far as connecting.
    ['a development URI for a chain not known local', '//Alice', 'ws://[::ffff:127.0.0.1]:1'],
  ])(
    '%s: recorded as InvalidHotkeySecret, not retried, not echoed',
    async (_name, secret, endpoint) => {
      const { outcome, log } = await publishWith(secret, endpoint);
      expect(outcome?.result).toMatchObject({
        status: 'failed',
        error_code: 'InvalidHotkeySecret',
        retryable: false,
        validator_hotkey: 'unknown',
      });
      const records = await store.db.collection('weight_transactions').get();
      expect(records.size).toBe(1);
      const record = records.docs[0].data();
      expect(record).toMatchObject({
        status: 'failed',
        success: false,
        error_code: 'InvalidHotkeySecret',
        retryable: false,
        validator_hotkey: 'unknown',
        trigger: 'curated_lead',
      });
      const everything = JSON.stringify([record, log.lines, outcome]);
      for (const part of secret.split(/[ /]+/).filter((word) => word.length > 3)) {
        expect(everything).not.toContain(part);
      }
    },
  );
});
