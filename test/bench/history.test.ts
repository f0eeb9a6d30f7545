import { restartCosts } from '../../scripts/bench/history';

// The shape of a real workspace history around one restart of the agent-state poller (recorded from the
// dev server): the old run completes, a workflow task re-arms the default loop's timer and schedules the next run.
const ev = (eventId: number, attrs: Record<string, unknown>, sec = 100) => ({ eventId, eventTime: { seconds: sec, nanos: 0 }, ...attrs });
const scheduled = (id: number, name: string, sec?: number) => ev(id, { activityTaskScheduledEventAttributes: { activityType: { name } } }, sec);
const started = (id: number, of: number) => ev(id, { activityTaskStartedEventAttributes: { scheduledEventId: of } });
const completed = (id: number, of: number, sec = 100) => ev(id, { activityTaskCompletedEventAttributes: { scheduledEventId: of } }, sec);
const wft = (id: number) => [ev(id, { workflowTaskScheduledEventAttributes: {} }), ev(id + 1, { workflowTaskStartedEventAttributes: {} }), ev(id + 2, { workflowTaskCompletedEventAttributes: {} })];
const timerCanceled = (id: number) => ev(id, { timerCanceledEventAttributes: {} });
const timerStarted = (id: number) => ev(id, { timerStartedEventAttributes: {} });

const history = ([
  scheduled(96, 'pollAgentStates', 50),
  timerStarted(97),
  started(98, 96),
  completed(99, 96, 110),
  ...wft(100),
  timerCanceled(103),
  scheduled(104, 'pollAgentStates'),
  timerStarted(105),
  // an unrelated signal and its workflow task after the batch: not the restart's
  ev(106, { workflowExecutionSignaledEventAttributes: {} }),
  ...wft(107),
] as unknown) as Parameters<typeof restartCosts>[0];

describe('history events of an activity restart', () => {
  it('counts the completion, the workflow task it wakes and the batch that schedules the next run', () => {
    expect(restartCosts(history, 'pollAgentStates')).toEqual([8]);
  });

  it('skips completions before the measured period and runs never rescheduled', () => {
    expect(restartCosts(history, 'pollAgentStates', 120_000)).toEqual([]);
    expect(restartCosts(history.slice(0, 8), 'pollAgentStates')).toEqual([]);
    expect(restartCosts(history, 'syncCatalog')).toEqual([]);
  });
});
