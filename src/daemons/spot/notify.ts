// What the handler reports besides its log: the metrics it keeps and a Slack-compatible webhook
// (a JSON POST with a `text` field, which Slack, Mattermost, Teams workflows and Rocket.Chat accept).
import { Registry } from '../common/metrics.js';
import type { InterruptionEvent } from './events.js';

export interface SpotMetrics {
  registry: Registry;
  events: import('../common/metrics.js').Counter;
  actions: import('../common/metrics.js').Counter;
  evictions: import('../common/metrics.js').Counter;
  sourceErrors: import('../common/metrics.js').Counter;
  webhookErrors: import('../common/metrics.js').Counter;
  lifecycleCalls: import('../common/metrics.js').Counter;
  healthy: import('../common/metrics.js').Gauge;
  podsRemaining: import('../common/metrics.js').Gauge;
  drainSeconds: import('../common/metrics.js').Histogram;
}

export function spotMetrics(registry = new Registry()): SpotMetrics {
  return {
    registry,
    events: registry.counter('kuberator_spot_events_total', 'Interruption events seen, by kind and state.', ['kind', 'state']),
    actions: registry.counter('kuberator_spot_actions_total', 'Node actions taken, by action (taint, cordon, drain, uncordon, ack: the queue message and lifecycle hook) and status (ok, error, dry_run).', ['action', 'status']),
    evictions: registry.counter('kuberator_spot_evictions_total', 'Eviction answers, by outcome (evicted, blocked by a disruption budget, gone, error).', ['outcome']),
    sourceErrors: registry.counter('kuberator_spot_source_errors_total', 'Failed polls of the event source.', ['source']),
    webhookErrors: registry.counter('kuberator_spot_webhook_errors_total', 'Webhook posts that failed.'),
    lifecycleCalls: registry.counter('kuberator_spot_lifecycle_calls_total', 'Auto Scaling lifecycle hook calls in queue mode, by call (complete, heartbeat) and status (ok, error, inactive: the action was already over).', ['call', 'status']),
    healthy: registry.gauge('kuberator_spot_healthy', '1 while the event source answers, 0 after repeated errors.'),
    podsRemaining: registry.gauge('kuberator_spot_drain_pods_remaining', 'Pods not gone when the last drain ended.'),
    drainSeconds: registry.histogram('kuberator_spot_drain_seconds', 'Time from the start of a drain to its end.', [], [1, 2, 5, 10, 20, 30, 60, 90, 120, 180]),
  };
}

export interface WebhookMessage {
  event: InterruptionEvent;
  nodeName: string;
  action: string;
  outcome: string;
  dryRun: boolean;
}

/** The payload: Slack's `text`, plus the same facts as fields for other receivers. */
export function webhookBody(m: WebhookMessage): Record<string, unknown> {
  const e = m.event;
  const deadline = e.deadline === undefined ? 'none given' : new Date(e.deadline).toISOString();
  return {
    text: `[kuberator][spot-handler]${m.dryRun ? '[dry-run]' : ''} ${e.kind} on node ${m.nodeName}${e.instanceId ? ` (${e.instanceId})` : ''}: ${m.action}, ${m.outcome}. ${e.description}. Deadline: ${deadline}. Event: ${e.id}`,
    eventId: e.id,
    kind: e.kind,
    node: m.nodeName,
    instanceId: e.instanceId,
    action: m.action,
    outcome: m.outcome,
    deadline: e.deadline === undefined ? undefined : new Date(e.deadline).toISOString(),
    dryRun: m.dryRun,
  };
}

/** Posts once with a timeout; rejects on a non-2xx answer or no answer. */
export async function postWebhook(url: string, body: unknown, timeoutMs: number, doFetch: typeof fetch = fetch): Promise<void> {
  const res = await doFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(timeoutMs) });
  await res.arrayBuffer().catch(() => undefined);
  if (res.status < 200 || res.status >= 300) throw new Error(`the webhook answered ${res.status}`);
}
