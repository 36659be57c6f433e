/**
 * Cloud Tasks cancels a delivery after this (and retries it): set explicitly on every publish
 * task, and the handler's early wait plus the publish's worst case fit inside it.
 */
export const DISPATCH_DEADLINE_SECONDS = 600;
