/** The publish task queue on Cloud Tasks, through firebase-admin (the emulator's in development). */
import type { App } from 'firebase-admin/app';
import { getFunctions } from 'firebase-admin/functions';
import { DISPATCH_DEADLINE_SECONDS } from './deadline';
import type { PublishTask, TaskQueue } from './schedule-publish';

export const PUBLISH_TASK_FUNCTION = 'publishWeightsTask';
/** Where the functions are deployed. */
export const REGION = 'us-central1';

/** The queue, through the default app (the functions) or the given one (the command line). */
export function cloudTaskQueue(region = REGION, app?: App): TaskQueue {
  return {
    async enqueue(task: PublishTask, scheduleAtMs: number, name = task.task_id) {
      const queue = getFunctions(app).taskQueue<PublishTask>(
        `locations/${region}/functions/${PUBLISH_TASK_FUNCTION}`,
      );
      try {
        await queue.enqueue(task, {
          id: name,
          scheduleTime: new Date(scheduleAtMs),
          dispatchDeadlineSeconds: DISPATCH_DEADLINE_SECONDS,
        });
      } catch (error) {
        // The same name twice is the point of naming tasks: the first one stands.
        if ((error as { code?: string }).code !== 'functions/task-already-exists') throw error;
      }
    },
  };
}
