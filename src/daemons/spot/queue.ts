// Queue mode: EventBridge rules deliver EC2 and Auto Scaling events to an SQS queue, and the
// handler long-polls it. A message about this node's instance becomes an event whose
// acknowledgement deletes the message, so it is deleted only once the node has been drained; a
// failed drain leaves it to come back after its visibility timeout. Messages about other instances
// are left for the handler of that node. Test notifications, unknown kinds and unreadable bodies
// are deleted: nothing could ever act on them.
// Type-only at the top: the SDK loads when queue mode polls, never for other commands of the CLI bundle.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { InterruptionEvent } from './events.js';
import type { EventSource, LogEntry } from './handler.js';

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
  log?: (e: LogEntry) => void;
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
  | { what: 'event'; instanceId: string; event: Omit<InterruptionEvent, 'ack' | 'seenAt'> }
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
      return { what: 'event', instanceId: inst, event: { id: `asg-lifecycle-${str(d.LifecycleActionToken) ?? id}`, kind: 'asg-termination', source: 'queue', state: 'active', instanceId: inst, description: `Auto Scaling group ${str(d.AutoScalingGroupName) ?? ''} terminates the instance (hook ${str(d.LifecycleHookName) ?? ''})` } };
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
          out.push({ ...p.event, seenAt: o.now(), ack: async () => void (await remove(msg.ReceiptHandle)) });
        }
      }
      return out;
    },
  };
}
