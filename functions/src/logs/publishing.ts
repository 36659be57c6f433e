/** Log lines of publishing. Only public data: hotkey addresses, uids, chain errors; never a secret. */
import type { Logger } from './logger';

export function connecting(
  log: Logger,
  network: string,
  url: string,
  netuid: number,
  validator: string,
): void {
  log.info(`Connecting to ${network} (${url}) for subnet ${netuid} as ${validator}`);
}

export function unregisteredHotkey(log: Logger, hotkey: string, netuid: number): void {
  log.warn(`Miner ${hotkey} is not registered on subnet ${netuid}: its share is dropped`, {
    hotkey,
    netuid,
  });
}

/** Hotkeys named one by one; beyond, one line says how many more. */
export const UNREGISTERED_LOGGED = 5;

/**
 * The scored hotkeys that are not registered: one line each for the first few, then one line with
 * the count and examples, however many there are (leads can name any number of hotkeys).
 */
export function unregisteredHotkeys(log: Logger, hotkeys: readonly string[], netuid: number): void {
  for (const hotkey of hotkeys.slice(0, UNREGISTERED_LOGGED))
    unregisteredHotkey(log, hotkey, netuid);
  const more = hotkeys.length - UNREGISTERED_LOGGED;
  if (more <= 0) return;
  const examples = hotkeys.slice(UNREGISTERED_LOGGED, UNREGISTERED_LOGGED + 3);
  log.warn(
    `${more} more miners are not registered on subnet ${netuid} (${hotkeys.length} in all, e.g. ` +
      `${examples.join(', ')}): their shares are dropped`,
    { netuid, unregistered: hotkeys.length, examples },
  );
}

export function attemptFailed(
  log: Logger,
  attempt: number,
  code: string,
  message: string,
  retryInMs: number,
): void {
  log.warn(
    `⚠️ Attempt ${attempt} failed (${code}): ${message}; retrying in ${(retryInMs / 1000).toFixed(1)} s`,
    {
      attempt,
      error_code: code,
    },
  );
}

export function published(
  log: Logger,
  miners: ReadonlyArray<{ hotkey: string; share: number; uid: number; u16: number }>,
  totalShare: number,
  where: { block_number?: number; extrinsic_hash?: string },
): void {
  log.info('✅ Published new weights:', where);
  miners.forEach((m, i) => {
    log.info(
      `${String(i + 1).padStart(2)}. ${m.hotkey} ${m.share.toFixed(4)} (${(m.share * 100).toFixed(2)}%) uid ${m.uid} → ${m.u16}`,
    );
  });
  log.info(`✓ Found ${miners.length} miners`);
  log.info(`✓ Total share: ${totalShare.toFixed(6)}`);
}

const CALL_OF_MODE: Record<string, string> = {
  set_weights: 'set_weights',
  commit: 'commit_weights',
  timelocked_commit: 'commit_timelocked_weights',
};

export function dryRun(
  log: Logger,
  mode: string,
  rows: ReadonlyArray<{ uid: number; u16: number }>,
  versionKey: bigint,
): void {
  log.info(`Dry run: would call ${CALL_OF_MODE[mode] ?? mode} with version key ${versionKey}:`);
  for (const { uid, u16 } of rows) log.info(`  uid ${uid} → ${u16}`);
}

export function notPublished(log: Logger, status: string, code: string, message: string): void {
  log.warn(`⚠️ Weights not published (${status}, ${code}): ${message}`, {
    status,
    error_code: code,
  });
}

export function uidReassigned(log: Logger, uid: number, scored: string, now: string): void {
  log.warn(`Uid ${uid} moved from ${scored} to ${now} since scoring: it gets no weight`, { uid });
}

export function committed(
  log: Logger,
  mode: string,
  firstRevealBlock?: number,
  round?: string,
): void {
  const how =
    mode === 'timelocked_commit'
      ? `the chain reveals them at drand round ${round}`
      : 'a later run reveals them';
  log.info(`🔒 Weights committed (${mode}): from block ${firstRevealBlock}, ${how}`);
}

export function revealed(log: Logger, commitId: string, block: number | undefined): void {
  log.info(`🔓 Commit ${commitId.slice(0, 12)}… revealed in block #${block}`);
}

export function revealMissed(log: Logger, commitId: string, reason: string): void {
  log.warn(`⚠️ Commit ${commitId.slice(0, 12)}… not revealed: ${reason}`);
}

export function reconciled(
  log: Logger,
  id: string,
  hash: string,
  status: string,
  block: unknown,
): void {
  const where = typeof block === 'number' ? ` in block #${block}` : '';
  log.info(`Reconciled weight transaction ${id} (${hash.slice(0, 12)}…): ${status}${where}`, {
    transaction_id: id,
  });
}

export function reconcileFailed(log: Logger, id: string, reason: string): void {
  log.warn(`⚠️ The fate of weight transaction ${id} could not be read: ${reason}`, {
    transaction_id: id,
  });
}

export function reconcileDeferred(log: Logger, open: number, reason: string): void {
  log.warn(
    `⚠️ ${open} sent extrinsic(s) could not be checked on chain (${reason}): nothing new is sent`,
  );
}

export function stillPending(log: Logger, hash: string, eraEnd: number): void {
  log.warn(
    `⚠️ Extrinsic ${hash.slice(0, 12)}… may still land (until block ${eraEnd}): nothing new is sent`,
  );
}

/** A failed task whose failure could not be recorded either (Firestore unreachable…). */
export function failureNotRecorded(log: Logger, error: unknown, recordError: unknown): void {
  const text = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 500);
  log.error(
    `⚠️ The publish task failed (${text(error)}) and its record could not be written: ${text(recordError)}`,
  );
}
