/**
 * Cloud Tasks cancels a delivery after DISPATCH_DEADLINE_SECONDS (and retries it): set explicitly
 * on every publish task. The publisher function's own timeout is shorter, and the handler's early
 * wait plus the publish's worst case fit inside that timeout, so a run always ends (and records
 * its outcome) before either limit cuts it off.
 */
export const DISPATCH_DEADLINE_SECONDS = 600;
export const PUBLISH_TIMEOUT_SECONDS = 540;
