// Cloud Scheduler's call of a scheduled function, made to the Functions emulator, which never fires
// `onSchedule` functions by itself (neither on a clock nor through Pub/Sub). Used by the demo's
// local schedule tick and by the end-to-end tests.

/**
 * POSTs to the emulated function as Cloud Scheduler would (its job name and schedule time in the
 * headers); throws when the function is not loaded or answers with an error.
 */
export async function fireScheduledFunction({
  functionsHost,
  projectId,
  name = 'scheduledPublish',
}) {
  const { backends } = await (await fetch(`http://${functionsHost}/backends`)).json();
  const trigger = backends
    .flatMap((backend) => backend.functionTriggers)
    .find((t) => t.entryPoint === name || t.name === name);
  if (!trigger) throw new Error(`${name} is not loaded`);
  // The emulator serves a trigger under its id with the instance suffix "-0".
  const response = await fetch(
    `http://${functionsHost}/functions/projects/${projectId}/triggers/${trigger.id}-0`,
    {
      method: 'POST',
      headers: {
        'X-CloudScheduler-JobName': `firebase-schedule-${name}-us-central1`,
        'X-CloudScheduler-ScheduleTime': new Date().toISOString(),
      },
    },
  );
  if (!response.ok) throw new Error(`${name} answered ${response.status}`);
}
