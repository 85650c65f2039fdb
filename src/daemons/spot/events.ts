// What the sources report and how the handler remembers it. An event has a stable ID (the same
// notice polled twice is one event), a kind, the time the instance is expected to go, and whether
// it is still live. The store keeps each event's progress, so a notice already handled is not
// handled again and a failed one is retried.
import { createHash } from 'node:crypto';

export type EventKind = 'spot-interruption' | 'rebalance-recommendation' | 'scheduled-maintenance' | 'asg-termination';

export interface InterruptionEvent {
  id: string;
  kind: EventKind;
  /** Where it came from: 'imds' or 'queue'. */
  source: 'imds' | 'queue';
  /** When the instance is expected to go (ms since the epoch); undefined when the source does not say. */
  deadline?: number;
  /** When the notice was first seen (ms since the epoch). */
  seenAt: number;
  /** 'canceled' and 'completed' apply to scheduled maintenance only. */
  state: 'active' | 'canceled' | 'completed';
  description: string;
  instanceId?: string;
  /** Called once the event has been acted on successfully (queue mode deletes the message). */
  ack?: () => Promise<void>;
  /**
   * Runs while the event is being worked on (queue mode: heartbeats to an Auto Scaling lifecycle
   * hook) and returns once the signal aborts. Not started in a dry run.
   */
  keepAlive?: (signal: AbortSignal) => Promise<void>;
}

/** `<prefix>-<sha256 of the JSON of parts>`. */
export function hashId(prefix: string, parts: unknown): string {
  return `${prefix}-${createHash('sha256').update(JSON.stringify(parts)).digest('hex')}`;
}

/** The short name used in taint keys and Kubernetes Event reasons. */
export const KIND_REASON: Record<EventKind, string> = {
  'spot-interruption': 'SpotInterruption',
  'rebalance-recommendation': 'RebalanceRecommendation',
  'scheduled-maintenance': 'ScheduledEvent',
  'asg-termination': 'ASGTermination',
};

export type Progress = 'new' | 'running' | 'done' | 'failed';

export interface StoredEvent {
  event: InterruptionEvent;
  progress: Progress;
  /** Attempts started. */
  attempts: number;
  /** No new attempt before this time (ms). */
  retryAt: number;
  lastError?: string;
  /** The work succeeded but its acknowledgement failed; it is tried again on a later poll. */
  ackPending?: boolean;
}

/** Events by ID. `upsert` keeps the first sighting's seenAt and the progress. */
export class EventStore {
  private readonly events = new Map<string, StoredEvent>();

  upsert(e: InterruptionEvent): StoredEvent {
    const old = this.events.get(e.id);
    if (old) {
      old.event = { ...e, seenAt: old.event.seenAt, ack: e.ack ?? old.event.ack, keepAlive: e.keepAlive ?? old.event.keepAlive };
      return old;
    }
    const s: StoredEvent = { event: e, progress: 'new', attempts: 0, retryAt: 0 };
    this.events.set(e.id, s);
    return s;
  }

  get(id: string): StoredEvent | undefined {
    return this.events.get(id);
  }

  all(): StoredEvent[] {
    return [...this.events.values()];
  }

  /** Live events other than `except`. */
  active(except?: string): StoredEvent[] {
    return this.all().filter((s) => s.event.id !== except && s.event.state === 'active');
  }

  delete(id: string): void {
    this.events.delete(id);
  }
}
