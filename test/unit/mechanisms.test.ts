// Mechanism configuration and the order a run publishes them in (docs/mechanisms.md).
import { describe, expect, it } from 'vitest';
import { mechanismStorageIndex } from '../../functions/src/chain/mechanisms';
import { parseMechanisms, publishConfigFromEnv } from '../../functions/src/config/publishing';
import { historyLine } from '../../functions/src/publishing/history';
import type { PublishResult } from '../../functions/src/publishing/result';
import { otherMechanisms } from '../../functions/src/publishing/run';

const result = (fields: Partial<PublishResult>) => fields as PublishResult;

describe('mechanisms', () => {
  it('keeps a mechanism at netuid + mecid · 4096, mechanism 0 at the netuid', () => {
    expect(mechanismStorageIndex(401, 0)).toBe(401);
    expect(mechanismStorageIndex(401, 1)).toBe(4497);
    expect(mechanismStorageIndex(1, 15)).toBe(61441);
  });

  it('parses PUBLISH_MECHANISMS, and refuses what is not a list of mechanism ids', () => {
    expect(parseMechanisms('')).toEqual([]);
    expect(parseMechanisms('all')).toEqual([]);
    expect(parseMechanisms(' 2, 0 ')).toEqual([0, 2]);
    for (const bad of ['1,1', '256', '-1', 'x', '0,,1'])
      expect(() => parseMechanisms(bad)).toThrow('PUBLISH_MECHANISMS');
    expect(publishConfigFromEnv({ PUBLISH_MECHANISMS: '0,1' }).mechanisms).toEqual([0, 1]);
    expect(publishConfigFromEnv({}).mechanisms).toBeUndefined();
  });

  it('publishes the other mechanisms after the first: configured ones, or all the subnet has', () => {
    expect(otherMechanisms(result({ mechanism: 0, mechanism_count: 3 }))).toEqual([1, 2]);
    expect(otherMechanisms(result({ mechanism: 0, mechanism_count: 3 }), [0, 2])).toEqual([2]);
    expect(otherMechanisms(result({ mechanism: 0, mechanism_count: 1 }))).toEqual([]);
    // A runtime without mechanisms, or a configuration the subnet cannot serve: nothing more.
    expect(otherMechanisms(result({}))).toEqual([]);
    // An extrinsic of the first that may still land: nothing more before it is reconciled.
    expect(
      otherMechanisms(result({ mechanism: 0, mechanism_count: 2, status: 'submitting' })),
    ).toEqual([]);
    expect(
      otherMechanisms(
        result({
          mechanism: 0,
          mechanism_count: 2,
          status: 'failed',
          extrinsic_hash: '0x01',
          retryable: true,
        }),
      ),
    ).toEqual([]);
    expect(
      otherMechanisms(
        result({ mechanism: 0, mechanism_count: 2, status: 'failed', extrinsic_hash: '0x01' }),
      ),
    ).toEqual([1]);
    expect(
      otherMechanisms(
        result({ mechanism: 0, mechanism_count: 1, error_code: 'MechanismDoesNotExist' }),
        [0, 1],
      ),
    ).toEqual([]);
  });

  it('names the mechanism in the history line where the subnet has several', () => {
    const tx = { ts: 't', status: 'included', mode: 'set_weights', netuid: 7, uids: [1] };
    expect(historyLine({ ...tx, mechanism: 1, mechanism_count: 2 })).toContain('netuid 7 mech 1');
    expect(historyLine({ ...tx, mechanism: 0, mechanism_count: 1 })).toContain('netuid 7  block');
    expect(historyLine(tx)).toContain('netuid 7  block');
  });
});
