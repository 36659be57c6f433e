/**
 * The weight-health verdict, a pure function of what the chain and the audit trail say: one status
 * (ok, warning, critical), the reasons (a stable code, plain words, what to do) and the numbers
 * behind them. The chain decides what counts: a validator whose LastUpdate is older than the
 * subnet's ActivityCutoff is inactive for consensus, whatever the publisher believes it did.
 */
import { DEFAULT_ACTIVITY_CUTOFF, type HealthConfig } from './config';

export type HealthStatus = 'ok' | 'warning' | 'critical';
export type Severity = 'info' | 'warning' | 'critical';

export type ReasonCode =
  | 'chain_unreachable'
  | 'no_attempt_yet'
  | 'validator_not_registered'
  | 'validator_inactive'
  | 'last_update_stale'
  | 'no_validator_permit'
  | 'stake_below_minimum'
  | 'stake_near_minimum'
  | 'reveal_window_closing'
  | 'reveal_window_missed'
  | 'consecutive_failures'
  | 'unresolved_record_stale';

export interface HealthReason {
  code: ReasonCode;
  severity: Severity;
  /** What is wrong, in plain words, with its numbers. */
  message: string;
  /** What the operator can do about it. */
  action: string;
}

/** What the chain says, at its best block (chain.ts reads it through the runtime items). */
export interface ChainHealth {
  block: number;
  blockSeconds: number;
  uid?: number;
  /** LastUpdate of the validator's uid. */
  lastUpdate?: number;
  /** ActivityCutoff of the subnet; undefined where the runtime has no such item. */
  activityCutoff?: number;
  weightsSetRateLimit?: number;
  /** undefined where the runtime has no ValidatorPermit. */
  permit?: boolean;
  /** TotalHotkeyAlpha of the validator on the subnet; undefined where the runtime lacks it. */
  stake?: bigint;
  /** StakeThreshold (or WeightsMinStake); undefined where the runtime has neither. */
  minStake?: bigint;
  commitReveal: boolean;
  /** The validator's hash commits waiting on chain (WeightCommits). */
  commits: Array<{ commitBlock: number; firstRevealBlock: number; lastRevealBlock: number }>;
  /** Items the evaluation would read that this runtime lacks. */
  missing: string[];
}

/** What the audit trail says (trail.ts). */
export interface TrailHealth {
  /** The validator's hotkey (SS58), from the newest record that names one. */
  validator?: string;
  lastAttempt?: { id: string; ts: string; status: string };
  lastLanded?: { id: string; ts: string; block_number?: number; mode?: string };
  /** Failed attempts since the last landed one, newest first. */
  failures: Array<{ id: string; ts: string; code: string }>;
  /** Write-ahead records still unresolved, with the last block of their era. */
  unresolved: Array<{ id: string; ts: string; era_end?: number }>;
  /** A reveal recorded as missed since the last landed attempt. */
  revealMissed?: { id: string; ts: string };
}

export interface HealthNumbers {
  block?: number;
  block_seconds?: number;
  validator_uid?: number;
  last_update?: number;
  blocks_since_update?: number;
  activity_cutoff?: number;
  activity_cutoff_source?: 'chain' | 'default';
  warning_at_blocks?: number;
  critical_at_blocks?: number;
  /** Seconds until each threshold at the chain's block time (0: already crossed). */
  seconds_to_warning?: number;
  seconds_to_critical?: number;
  seconds_to_inactive?: number;
  weights_set_rate_limit?: number;
  validator_permit?: boolean;
  stake?: string;
  min_stake?: string;
  commit_reveal?: boolean;
  open_commits?: Array<{
    first_reveal_block: number;
    last_reveal_block: number;
    blocks_left: number;
  }>;
  last_landed?: TrailHealth['lastLanded'];
  last_attempt?: TrailHealth['lastAttempt'];
  consecutive_failures: number;
  failure_codes: string[];
  unresolved_records: number;
  missing_items?: string[];
}

export interface HealthEvaluation {
  status: HealthStatus;
  reasons: HealthReason[];
  numbers: HealthNumbers;
  evaluated_at: string;
  netuid: number;
  /** The endpoint as it may be shown (scheme and host). */
  endpoint: string;
  validator_hotkey?: string;
}

export interface EvaluationInput {
  netuid: number;
  endpoint: string;
  nowMs: number;
  trail: TrailHealth;
  /** The chain's state, or why it could not be read (absent: not read, no validator known). */
  chain?: ChainHealth | { error: { code: string; message: string } };
  validator?: string;
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

export function worst(a: HealthStatus, b: HealthStatus): HealthStatus {
  const rank = { ok: 0, warning: 1, critical: 2 };
  return rank[a] >= rank[b] ? a : b;
}

/** "4 h 10 min", "12 min", "40 s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
}

const HISTORY = 'see `weights history --failed` or the dashboard for the attempts and their errors';

export function evaluateHealth(input: EvaluationInput, config: HealthConfig): HealthEvaluation {
  const reasons: HealthReason[] = [];
  const add = (code: ReasonCode, severity: Severity, message: string, action: string) => {
    if (!reasons.some((r) => r.code === code)) reasons.push({ code, severity, message, action });
  };
  const { trail } = input;
  const validator = input.validator ?? trail.validator;
  const numbers: HealthNumbers = {
    last_landed: trail.lastLanded,
    last_attempt: trail.lastAttempt,
    consecutive_failures: trail.failures.length,
    failure_codes: [...new Set(trail.failures.map((f) => f.code))],
    unresolved_records: trail.unresolved.length,
  };

  if (validator === undefined || input.chain === undefined) {
    add(
      'no_attempt_yet',
      'info',
      'No publish attempt is recorded yet, so the validator hotkey is unknown to the evaluation',
      'wait for the first publish (the hourly run requests one), or run `weights publish`',
    );
  } else if ('error' in input.chain) {
    add(
      'chain_unreachable',
      'warning',
      `The chain could not be read (${input.chain.error.code}: ${input.chain.error.message}), so LastUpdate, the permit and the stake are unknown`,
      `check the endpoint ${input.endpoint} and the node's health; publishing needs it too`,
    );
  } else {
    evaluateChain(input.chain, input.netuid, config, numbers, add);
  }

  // The audit trail: what the publisher tried.
  if (trail.revealMissed)
    add(
      'reveal_window_missed',
      'critical',
      `A reveal missed its window (attempt ${trail.revealMissed.id}, ${trail.revealMissed.ts}): those weights never counted`,
      `make sure a run happens inside each reveal window (the publisher schedules one for it); ${HISTORY}`,
    );
  // Weights that landed on chain after the last failed attempt (a publish whose record is not
  // written yet, say) settle those failures: the chain says what counts.
  const chain = input.chain && !('error' in input.chain) ? input.chain : undefined;
  const landedAfterFailures =
    chain?.lastUpdate !== undefined &&
    trail.failures.length > 0 &&
    input.nowMs - (chain.block - chain.lastUpdate) * chain.blockSeconds * 1000 >
      Date.parse(trail.failures[0].ts);
  if (trail.failures.length >= config.failureCount && !landedAfterFailures)
    add(
      'consecutive_failures',
      'warning',
      `${trail.failures.length} attempts in a row failed (${numbers.failure_codes.join(', ')}), the last at ${trail.failures[0].ts}`,
      HISTORY,
    );
  const block = input.chain && !('error' in input.chain) ? input.chain.block : undefined;
  const stale = trail.unresolved.filter((record) =>
    block !== undefined && record.era_end !== undefined
      ? block > record.era_end
      : input.nowMs - Date.parse(record.ts) > 30 * 60_000,
  );
  if (stale.length > 0)
    add(
      'unresolved_record_stale',
      'warning',
      `${stale.length} write-ahead record(s) still unresolved past their era (oldest ${stale.at(-1)?.id}): the next run should have reconciled them`,
      'check that publish runs happen (the publisher reconciles before anything new); see `weights history`',
    );

  reasons.sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  const top = reasons[0]?.severity ?? 'info';
  return {
    status: top === 'info' ? 'ok' : top,
    reasons,
    numbers,
    evaluated_at: new Date(input.nowMs).toISOString(),
    netuid: input.netuid,
    endpoint: input.endpoint,
    validator_hotkey: validator,
  };
}

function evaluateChain(
  chain: ChainHealth,
  netuid: number,
  config: HealthConfig,
  numbers: HealthNumbers,
  add: (code: ReasonCode, severity: Severity, message: string, action: string) => void,
): void {
  Object.assign(numbers, {
    block: chain.block,
    block_seconds: chain.blockSeconds,
    validator_uid: chain.uid,
    weights_set_rate_limit: chain.weightsSetRateLimit,
    validator_permit: chain.permit,
    stake: chain.stake?.toString(),
    min_stake: chain.minStake?.toString(),
    commit_reveal: chain.commitReveal,
    missing_items: chain.missing.length ? chain.missing : undefined,
  });
  if (chain.uid === undefined) {
    add(
      'validator_not_registered',
      'critical',
      `The validator hotkey is not registered on subnet ${netuid}: it sets no weights at all`,
      'register the hotkey again (btcli subnet register), or check NETUID and the hotkey secret',
    );
    return;
  }
  // Without LastUpdate in the runtime there is nothing to age: the trail's findings remain.
  if (chain.lastUpdate !== undefined)
    judgeLastUpdate(chain, chain.lastUpdate, config, numbers, add);
  if (chain.permit === false)
    add(
      'no_validator_permit',
      'critical',
      `The validator (uid ${chain.uid}) holds no validator permit on this subnet: its weights are refused or ignored`,
      'raise the stake behind the hotkey until it ranks among the permitted validators; the next epoch assigns permits',
    );
  if (chain.stake !== undefined && chain.minStake !== undefined && chain.minStake > 0n) {
    const scale = 1_000_000n;
    const margin = BigInt(Math.round(config.stakeMargin * 1_000_000));
    if (chain.stake < chain.minStake)
      add(
        'stake_below_minimum',
        'critical',
        `The validator's stake ${chain.stake} is below the minimum to set weights (${chain.minStake}): the chain refuses its weights`,
        'add stake to the validator hotkey',
      );
    else if (chain.stake * scale < chain.minStake * (scale + margin))
      add(
        'stake_near_minimum',
        'warning',
        `The validator's stake ${chain.stake} is within ${config.stakeMargin * 100}% of the minimum to set weights (${chain.minStake})`,
        'add stake to the validator hotkey before it falls below the minimum',
      );
  }
  numbers.open_commits = chain.commits.map((c) => ({
    first_reveal_block: c.firstRevealBlock,
    last_reveal_block: c.lastRevealBlock,
    blocks_left: Math.max(0, c.lastRevealBlock - chain.block),
  }));
  for (const commit of chain.commits) {
    if (chain.block > commit.lastRevealBlock)
      add(
        'reveal_window_missed',
        'critical',
        `A commit of block ${commit.commitBlock} was not revealed: its window ended at block ${commit.lastRevealBlock} (now ${chain.block})`,
        `make sure a run happens inside each reveal window; ${HISTORY}`,
      );
    else if (chain.block >= commit.firstRevealBlock) {
      const window = commit.lastRevealBlock - commit.firstRevealBlock + 1;
      const remaining = commit.lastRevealBlock - chain.block;
      if (remaining * 2 < window)
        add(
          'reveal_window_closing',
          'warning',
          `A commit of block ${commit.commitBlock} is not revealed yet and its window closes in ${remaining} blocks (${duration(remaining * chain.blockSeconds)}, block ${commit.lastRevealBlock})`,
          'run `weights publish` now: it reveals an open commit inside its window',
        );
    }
  }
}

function judgeLastUpdate(
  chain: ChainHealth,
  lastUpdate: number,
  config: HealthConfig,
  numbers: HealthNumbers,
  add: (code: ReasonCode, severity: Severity, message: string, action: string) => void,
): void {
  const cutoff = chain.activityCutoff ?? DEFAULT_ACTIVITY_CUTOFF;
  const since = Math.max(0, chain.block - lastUpdate);
  const warnAt = Math.ceil(cutoff * config.warningFraction);
  const critAt = Math.ceil(cutoff * config.criticalFraction);
  const left = (at: number) => Math.max(0, at - since) * chain.blockSeconds;
  Object.assign(numbers, {
    last_update: lastUpdate,
    blocks_since_update: since,
    activity_cutoff: cutoff,
    activity_cutoff_source: chain.activityCutoff === undefined ? 'default' : 'chain',
    warning_at_blocks: warnAt,
    critical_at_blocks: critAt,
    seconds_to_warning: left(warnAt),
    seconds_to_critical: left(critAt),
    seconds_to_inactive: left(cutoff),
  });
  const age = `LastUpdate is ${since} blocks old (block ${lastUpdate}, now ${chain.block}; ActivityCutoff ${cutoff})`;
  const publishAction = `publish now (\`weights publish\`) and find why runs stopped landing; ${HISTORY}`;
  if (since >= cutoff)
    add(
      'validator_inactive',
      'critical',
      `${age}: past the cutoff, consensus counts the validator inactive and its dividends decay`,
      publishAction,
    );
  else if (since >= critAt)
    add(
      'last_update_stale',
      'critical',
      `${age}: ${duration(left(cutoff))} left before the cutoff at ${chain.blockSeconds} s blocks`,
      publishAction,
    );
  else if (since >= warnAt)
    add(
      'last_update_stale',
      'warning',
      `${age}: ${duration(left(critAt))} left before the critical threshold (${critAt} blocks), ${duration(left(cutoff))} before the cutoff`,
      publishAction,
    );
}
