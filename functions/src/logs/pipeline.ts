/** Log lines of the serverless pipeline (triggers, schedule, publish cycle). */
import type { Logger } from './logger';

export function triggered(log: Logger, kind: string, ref: string | undefined): void {
  if (kind === 'curated_lead')
    log.info('📊 Triggering weight update after curated lead...', { lead_id: ref });
  else log.info(`📊 Triggering weight update (${kind})...`, { ref });
}

export function requestCoalesced(log: Logger, taskId: string): void {
  log.info(`A weight update is already scheduled (${taskId}): this request joins it`, {
    task_id: taskId,
  });
}

export function taskScheduled(log: Logger, taskId: string, notBefore: string): void {
  log.info(`Weight update ${taskId} scheduled for ${notBefore}`, {
    task_id: taskId,
    not_before: notBefore,
  });
}

export function publisherBusy(log: Logger): void {
  log.warn('⚠️ Another weight publish is running: this one stands down');
}

export function nothingNew(log: Logger, since: string): void {
  log.info(`Nothing new to publish: the shares are those published at ${since}`);
}

export function resumingReview(log: Logger, reviewed: number): void {
  log.info(`✅ Weights updated, resuming sourced lead review (${reviewed} queued leads reviewed)`);
}

export function recorded(log: Logger, id: string, iteration: number, status: string): void {
  log.info(`Recorded weight transaction ${id} (iteration ${iteration}, ${status})`, {
    transaction_id: id,
  });
}

export function dryRunNotRecorded(log: Logger): void {
  log.info(
    'Dry run: nothing was sent and nothing recorded (no lease, no weight_transactions document)',
  );
}

export function revealFirst(log: Logger, reason: string): void {
  log.info(`⏳ No new commit: ${reason}`);
}
