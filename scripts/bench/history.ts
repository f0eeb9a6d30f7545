import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Events a workflow task's completion writes for the commands it carries. */
const COMMAND_EVENTS = new Set([
  'activityTaskScheduledEventAttributes',
  'activityTaskCancelRequestedEventAttributes',
  'timerStartedEventAttributes',
  'timerCanceledEventAttributes',
  'upsertWorkflowSearchAttributesEventAttributes',
  'workflowPropertiesModifiedEventAttributes',
  'markerRecordedEventAttributes',
  'signalExternalWorkflowExecutionInitiatedEventAttributes',
  'requestCancelExternalWorkflowExecutionInitiatedEventAttributes',
  'startChildWorkflowExecutionInitiatedEventAttributes',
]);

const kind = (e: HistoryEvent): string => Object.keys(e).find((k) => k.endsWith('EventAttributes') && (e as Record<string, unknown>)[k] != null) ?? 'unknown';
const ms = (e: HistoryEvent): number => {
  const t = e.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
};

/**
 * History events each restart of a long-running activity (e.g. the hourly agent-state poller) costs, read
 * from a workflow's history: the old run's ActivityTaskStarted and ActivityTaskCompleted, the workflow task
 * its completion wakes (scheduled, started, completed), and every event from there up to the end of the
 * command batch that schedules the next run (e.g. a timer re-armed, the new ActivityTaskScheduled). Only
 * completions at or after `sinceMs` whose next run was scheduled are counted.
 */
export function restartCosts(events: HistoryEvent[], activityType: string, sinceMs = 0): number[] {
  const ofType = new Set<string>();
  for (const e of events) if (e.activityTaskScheduledEventAttributes?.activityType?.name === activityType) ofType.add(String(e.eventId));
  const costs: number[] = [];
  events.forEach((e, i) => {
    const done = e.activityTaskCompletedEventAttributes;
    if (!done || !ofType.has(String(done.scheduledEventId)) || ms(e) < sinceMs) return;
    let count = 2; // its Started (written with the completion) and Completed
    let inBatch = false;
    let rescheduled = false;
    for (const next of events.slice(i + 1)) {
      const k = kind(next);
      if (inBatch && !COMMAND_EVENTS.has(k)) {
        if (rescheduled) break;
        inBatch = false;
      }
      count += 1;
      if (k === 'workflowTaskCompletedEventAttributes') inBatch = true;
      if (next.activityTaskScheduledEventAttributes?.activityType?.name === activityType) rescheduled = true;
    }
    if (rescheduled) costs.push(count);
  });
  return costs;
}

/** restartCosts over the current run of a workflow. */
export async function activityRestartCosts(client: Client, workflowId: string, activityType: string, sinceMs: number): Promise<number[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  return restartCosts(history.events ?? [], activityType, sinceMs);
}
