/** `weights health` for a terminal: the verdict, each reason with what to do, the numbers. */
import { duration, type HealthEvaluation } from './evaluate';
import type { HealthDoc } from './incidents';

const short = (hotkey: string | undefined) =>
  hotkey ? `${hotkey.slice(0, 6)}…${hotkey.slice(-4)}` : 'unknown';

export function healthLines(evaluation: HealthEvaluation, recorded?: HealthDoc): string[] {
  const n = evaluation.numbers;
  const lines = [
    `Weight health: ${evaluation.status.toUpperCase()}  (subnet ${evaluation.netuid}, validator ${short(evaluation.validator_hotkey)}, ${evaluation.endpoint}${n.block !== undefined ? `, block ${n.block}` : ''}, ${evaluation.evaluated_at})`,
  ];
  for (const reason of evaluation.reasons) {
    lines.push(`  [${reason.severity}] ${reason.code}: ${reason.message}`);
    lines.push(`      what to do: ${reason.action}`);
  }
  if (n.blocks_since_update !== undefined) {
    const secs = n.block_seconds ?? 12;
    lines.push(
      `  LastUpdate: ${n.blocks_since_update} blocks ago (block ${n.last_update}); warning at ${n.warning_at_blocks}, critical at ${n.critical_at_blocks}, inactive at ${n.activity_cutoff} (ActivityCutoff, ${n.activity_cutoff_source === 'chain' ? 'from the chain' : "subtensor's default"})`,
      `  time left at ${secs} s blocks: warning ${duration(n.seconds_to_warning ?? 0)}, critical ${duration(n.seconds_to_critical ?? 0)}, inactive ${duration(n.seconds_to_inactive ?? 0)}`,
    );
  }
  if (n.validator_uid !== undefined) {
    const permit = n.validator_permit === undefined ? 'unknown' : n.validator_permit ? 'yes' : 'NO';
    const stake =
      n.stake === undefined
        ? 'stake unknown'
        : `stake ${n.stake}${n.min_stake !== undefined ? ` (minimum ${n.min_stake})` : ''}`;
    lines.push(
      `  uid ${n.validator_uid}; permit ${permit}; ${stake}; commit-reveal ${n.commit_reveal ? 'on' : 'off'}; rate limit ${n.weights_set_rate_limit ?? '?'} blocks`,
    );
  }
  for (const c of n.open_commits ?? [])
    lines.push(
      `  open commit: reveal in blocks ${c.first_reveal_block}–${c.last_reveal_block} (${c.blocks_left} blocks left)`,
    );
  const landed = n.last_landed
    ? `last landed ${n.last_landed.ts}${n.last_landed.block_number !== undefined ? ` (#${n.last_landed.block_number}, ${n.last_landed.mode ?? 'set_weights'})` : ''}`
    : 'nothing landed yet';
  lines.push(
    `  trail: ${landed}; ${n.consecutive_failures} failure(s) in a row${n.failure_codes.length ? ` (${n.failure_codes.join(', ')})` : ''}; ${n.unresolved_records} unresolved record(s)`,
  );
  if (n.missing_items?.length)
    lines.push(`  not in this runtime (fallbacks used): ${n.missing_items.join(', ')}`);
  if (recorded) {
    const incident = recorded.incident
      ? `, incident ${recorded.incident.id} opened ${recorded.incident.opened_at}`
      : '';
    lines.push(
      `  recorded (validator_state/health): ${recorded.status.toUpperCase()} since ${recorded.since}${incident}; ${recorded.incidents.length} closed incident(s)`,
    );
  }
  return lines;
}
