/**
 * One Cloud Logging entry per publish attempt, beside the Firestore document: the structured
 * form Cloud Logging ingests from stdout (@google-cloud/logging's LogSync), so it works the same
 * offline, in the emulator and in production, without an API call or credentials.
 */
import type { Writable } from 'node:stream';
import { Logging } from '@google-cloud/logging';
import type { DocumentData } from 'firebase-admin/firestore';

export const AUDIT_LOG_NAME = 'weight-transactions';

/** Writes the attempt's audit entry; `transport` defaults to stdout. */
export function writeAuditEntry(
  projectId: string,
  transactionId: string,
  document: DocumentData,
  transport?: Writable,
): void {
  const log = new Logging({ projectId }).logSync(AUDIT_LOG_NAME, transport);
  const severity = document.success ? 'INFO' : document.status === 'failed' ? 'ERROR' : 'WARNING';
  const payload = {
    message: `weight transaction ${transactionId}: ${String(document.status)}`,
    transaction_id: transactionId,
    ...jsonSafe(document),
  };
  log.write(
    log.entry(
      { severity, labels: { netuid: String(document.netuid), status: String(document.status) } },
      payload,
    ),
  );
}

/** Timestamps as ISO strings; the rest is plain data already. */
function jsonSafe(document: DocumentData): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(document, (_key, value: unknown) =>
      value && typeof value === 'object' && 'toDate' in value && typeof value.toDate === 'function'
        ? (value.toDate() as Date).toISOString()
        : value,
    ),
  );
}
