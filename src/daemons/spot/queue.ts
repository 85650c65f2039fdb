// Queue mode: EventBridge rules deliver EC2 and Auto Scaling events to an SQS queue, and the
// handler long-polls it. A message about this node's instance becomes an event whose
// acknowledgement deletes the message, so it is deleted only once the node has been drained; a
// failed drain leaves it to come back after its visibility timeout. Messages about other instances
// are left for the handler of that node. Test notifications, unknown kinds and unreadable bodies
// are deleted: nothing could ever act on them.
//
// An Auto Scaling termination hook holds the instance until it is completed or times out. After a
// successful drain the acknowledgement first completes the hook (CONTINUE), then deletes the
// message; a failed completion keeps the message, and a later attempt that finds no active action
// (completed earlier, or timed out) counts as done. While the work runs, optional heartbeats keep
// the hook from timing out, never past the hook's 48-hour limit. A failed drain completes nothing:
// the hook's own timeout and default result apply.
// Type-only at the top: the SDKs load when queue mode polls, never for other commands of the CLI bundle.
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { type Clock, systemClock } from '../common/clock.js';
import type { InterruptionEvent } from './events.js';
import type { EventSource, LogEntry } from './handler.js';
import type { SpotMetrics } from './notify.js';

/** The longest an Auto Scaling lifecycle action can be kept alive (its global timeout cap), ms. */
export const LIFECYCLE_MAX_MS = 48 * 3600_000;

export interface QueueSourceOptions {
  client: SQSClient;
  queueUrl: string;
  /** The EC2 instance this node runs on. */
  instanceId: string;
  now: () => number;
  /** Long-poll wait, s. @default 20 */
  waitTimeSeconds?: number;
  /** How long a received message stays hidden from other receivers, s. @default 120 */
  visibilityTimeoutSeconds?: number;
  /** The deadline of a notice that names no time: its time + this, ms. @default 120000 */
  defaultNoticeMs?: number;
  /** Completes lifecycle hooks and sends their heartbeats; without it hooks are left to time out. */
  autoScaling?: AutoScalingClient;
  /** Heartbeat period for a lifecycle hook while its drain runs, ms; 0 or unset sends none. */
  heartbeatIntervalMs?: number;
  /** Waits between heartbeats. @default the system clock's */
  sleep?: Clock['sleep'];
  metrics?: Pick<SpotMetrics, 'lifecycleCalls'>;
  log?: (e: LogEntry) => void;
}

/** What identifies an Auto Scaling lifecycle action. */
export interface LifecycleAction {
  AutoScalingGroupName: string;
  LifecycleHookName: string;
  LifecycleActionToken: string;
  InstanceId: string;
}

interface EventBridgeEvent {
  id?: string;
  'detail-type'?: string;
  source?: string;
  time?: string;
  detail?: Record<string, unknown>;
  /** Auto Scaling's own test message has this instead. */
  Event?: string;
}

export type Parsed =
  | { what: 'event'; instanceId: string; event: Omit<InterruptionEvent, 'ack' | 'keepAlive' | 'seenAt'>; lifecycle?: LifecycleAction }
  | { what: 'test' }
  | { what: 'unknown'; why: string };

/** Reads one message body. */
export function parseQueueMessage(body: string, defaultNoticeMs = 120_000): Parsed {
  let m: EventBridgeEvent;
  try {
    m = JSON.parse(body) as EventBridgeEvent;
  } catch {
    return { what: 'unknown', why: 'the body is not JSON' };
  }
  if (!m || typeof m !== 'object') return { what: 'unknown', why: 'the body is not an object' };
  if (m.Event === 'autoscaling:TEST_NOTIFICATION') return { what: 'test' };
  const d = m.detail ?? {};
  const time = m.time ? Date.parse(m.time) : Number.NaN;
  const id = m.id ?? '';
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  switch (m['detail-type']) {
    case 'EC2 Spot Instance Interruption Warning': {
      const inst = str(d['instance-id']);
      if (!inst) break;
      return { what: 'event', instanceId: inst, event: { id: `spot-itn-${id}`, kind: 'spot-interruption', source: 'queue', deadline: Number.isNaN(time) ? undefined : time + defaultNoticeMs, state: 'active', instanceId: inst, description: `spot instance ${str(d['instance-action']) ?? 'interruption'} (EventBridge ${m.time ?? ''})` } };
    }
    case 'EC2 Instance Rebalance Recommendation': {
      const inst = str(d['instance-id']);
      if (!inst) break;
      return { what: 'event', instanceId: inst, event: { id: `rebalance-recommendation-${id}`, kind: 'rebalance-recommendation', source: 'queue', state: 'active', instanceId: inst, description: `rebalance recommendation (EventBridge ${m.time ?? ''})` } };
    }
    case 'EC2 Instance-terminate Lifecycle Action': {
      const inst = str(d.EC2InstanceId);
      if (!inst) break;
      const [group, hook, token] = [str(d.AutoScalingGroupName), str(d.LifecycleHookName), str(d.LifecycleActionToken)];
      const lifecycle = group && hook && token ? { AutoScalingGroupName: group, LifecycleHookName: hook, LifecycleActionToken: token, InstanceId: inst } : undefined;
      return { what: 'event', instanceId: inst, lifecycle, event: { id: `asg-lifecycle-${str(d.LifecycleActionToken) ?? id}`, kind: 'asg-termination', source: 'queue', state: 'active', instanceId: inst, description: `Auto Scaling group ${str(d.AutoScalingGroupName) ?? ''} terminates the instance (hook ${str(d.LifecycleHookName) ?? ''})` } };
    }
    case 'AWS Health Event': {
      const entities = Array.isArray(d.affectedEntities) ? (d.affectedEntities as Array<{ entityValue?: string }>) : [];
      const inst = entities.map((e) => e.entityValue).find((v) => typeof v === 'string' && v.startsWith('i-'));
      if (!inst || d.service !== 'EC2') break;
      const start = str(d.startTime) ? Date.parse(str(d.startTime)!) : Number.NaN;
      return { what: 'event', instanceId: inst, event: { id: `health-${str(d.eventArn) ?? id}`, kind: 'scheduled-maintenance', source: 'queue', deadline: Number.isNaN(start) ? undefined : start, state: 'active', instanceId: inst, description: `AWS Health ${str(d.eventTypeCode) ?? 'event'}` } };
    }
  }
  return { what: 'unknown', why: `unsupported event ${JSON.stringify(m['detail-type'] ?? m.Event ?? '(none)')}` };
}

export function queueSource(o: QueueSourceOptions): EventSource {
  const log = o.log ?? (() => undefined);
  let sdk: Promise<typeof import('@aws-sdk/client-sqs')> | undefined;
  const commands = () => (sdk ??= import('@aws-sdk/client-sqs'));
  const remove = async (handle: string | undefined) => {
    const { DeleteMessageCommand } = await commands();
    await o.client.send(new DeleteMessageCommand({ QueueUrl: o.queueUrl, ReceiptHandle: handle }));
  };
  let asSdk: Promise<typeof import('@aws-sdk/client-auto-scaling')> | undefined;
  const asCommands = () => (asSdk ??= import('@aws-sdk/client-auto-scaling'));
  const count = (call: 'complete' | 'heartbeat', status: 'ok' | 'error' | 'inactive') => o.metrics?.lifecycleCalls.inc({ call, status });
  const complete = async (a: LifecycleAction, as: AutoScalingClient) => {
    const { CompleteLifecycleActionCommand } = await asCommands();
    try {
      await as.send(new CompleteLifecycleActionCommand({ ...a, LifecycleActionResult: 'CONTINUE' }));
      count('complete', 'ok');
      log({ level: 'info', msg: 'lifecycle action completed', group: a.AutoScalingGroupName, hook: a.LifecycleHookName, instanceId: a.InstanceId });
    } catch (e) {
      if (!noActiveAction(e)) {
        count('complete', 'error');
        throw e;
      }
      count('complete', 'inactive');
      log({ level: 'info', msg: 'the lifecycle action is already over (completed earlier or timed out)', group: a.AutoScalingGroupName, hook: a.LifecycleHookName, instanceId: a.InstanceId });
    }
  };
  const heartbeats = async (a: LifecycleAction, as: AutoScalingClient, since: number, signal: AbortSignal) => {
    const sleep = o.sleep ?? systemClock.sleep;
    const { RecordLifecycleActionHeartbeatCommand } = await asCommands();
    while (!signal.aborted) {
      try {
        await sleep(o.heartbeatIntervalMs!, signal);
      } catch {
        return;
      }
      if (o.now() - since >= LIFECYCLE_MAX_MS) {
        log({ level: 'warn', msg: 'no more lifecycle heartbeats: the action has reached its 48-hour limit', hook: a.LifecycleHookName, instanceId: a.InstanceId });
        return;
      }
      try {
        await as.send(new RecordLifecycleActionHeartbeatCommand(a), { abortSignal: signal });
        count('heartbeat', 'ok');
      } catch (e) {
        if (signal.aborted) return;
        count('heartbeat', noActiveAction(e) ? 'inactive' : 'error');
        log({ level: 'warn', msg: 'recording a lifecycle heartbeat failed', hook: a.LifecycleHookName, instanceId: a.InstanceId, error: (e as Error).message });
      }
    }
  };
  return {
    name: 'queue',
    async poll(signal) {
      const { ReceiveMessageCommand } = await commands();
      const r = await o.client.send(
        new ReceiveMessageCommand({ QueueUrl: o.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: o.waitTimeSeconds ?? 20, VisibilityTimeout: o.visibilityTimeoutSeconds ?? 120, MessageAttributeNames: ['All'] }),
        { abortSignal: signal },
      );
      const out: InterruptionEvent[] = [];
      for (const msg of r.Messages ?? []) {
        const p = parseQueueMessage(msg.Body ?? '', o.defaultNoticeMs);
        if (p.what === 'test') {
          log({ level: 'info', msg: 'deleting an Auto Scaling test notification', messageId: msg.MessageId });
          await remove(msg.ReceiptHandle);
        } else if (p.what === 'unknown') {
          log({ level: 'warn', msg: 'deleting a message no handler can act on', messageId: msg.MessageId, why: p.why });
          await remove(msg.ReceiptHandle);
        } else if (p.instanceId !== o.instanceId) {
          log({ level: 'info', msg: 'leaving a message about another instance', messageId: msg.MessageId, instanceId: p.instanceId });
        } else {
          const seenAt = o.now();
          const [a, as] = [p.lifecycle, o.autoScaling];
          if (a && !as) log({ level: 'warn', msg: 'no Auto Scaling client: the lifecycle hook is left to time out', hook: a.LifecycleHookName });
          const hooked = a && as ? { a, as } : undefined;
          out.push({
            ...p.event,
            seenAt,
            ack: async () => {
              if (hooked) await complete(hooked.a, hooked.as);
              await remove(msg.ReceiptHandle);
            },
            keepAlive: hooked && o.heartbeatIntervalMs ? (signal) => heartbeats(hooked.a, hooked.as, seenAt, signal) : undefined,
          });
        }
      }
      return out;
    },
  };
}

/** Auto Scaling's answer when the token names no action in progress. */
function noActiveAction(e: unknown): boolean {
  return /no active lifecycle action/i.test((e as Error | undefined)?.message ?? '');
}
