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

export function taskNotRun(log: Logger, taskId: string, why: 'running' | 'done' | 'stale'): void {
  const reason = {
    running: 'it is running now (a second delivery)',
    done: 'it has run already (a second delivery)',
    stale: 'a later task has replaced it',
  }[why];
  log.info(`Weight update ${taskId} not run: ${reason}`, { task_id: taskId });
}

export function leaseNotRenewed(log: Logger, holder: string, error?: unknown): void {
  const why = error instanceof Error ? error.message : 'another publisher holds it now';
  log.warn(`The publisher's lease could not be renewed for ${holder}: ${why}`, { holder });
}

export function taskChecksBack(log: Logger, taskId: string, at: string): void {
  log.info(
    `Weight update ${taskId} is checked again at ${at}, when its lease ends if its run died`,
    {
      task_id: taskId,
    },
  );
}

export function waiterWoken(log: Logger, taskId: string): void {
  log.info(`Weight update ${taskId} waited for the publisher: it runs now`, { task_id: taskId });
}

export function followUpScheduled(log: Logger, recordId: string, at: string): void {
  log.info(`Unresolved attempt ${recordId} is reconciled again at ${at}`, { record: recordId });
}

export function taskDeferred(log: Logger, taskId: string, notBefore: string): void {
  log.info(`Weight update ${taskId} comes back at ${notBefore}: too early to wait for here`, {
    task_id: taskId,
  });
}

/** The line after a publish task: its real outcome, then the review it resumes. */
export function cycleSummary(
  log: Logger,
  status: string,
  code: string | undefined,
  reviewed: number,
): void {
  const resumed = `resuming sourced lead review (${reviewed} queued leads reviewed)`;
  if (status === 'included' || status === 'finalized') log.info(`✅ Weights updated, ${resumed}`);
  else log.info(`Weights not updated (${status}${code ? `, ${code}` : ''}), ${resumed}`);
}
