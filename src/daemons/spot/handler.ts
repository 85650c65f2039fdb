// The handler's loop. Every poll interval it asks the event source for notices, remembers them in
// the store, and starts work on each live one it has not finished: taint, cordon, then (for the
// kinds configured to) drain before the deadline, then report. Work on an event runs alongside the
// polling, so /healthz and cancellations are served during a two-minute drain.
//
// Restart safety: nothing is kept outside the cluster. After a restart the source reports the
// same live notice, and every step is idempotent (a taint already there, a node already cordoned,
// pods already gone), so the work resumes where it stopped. A cancelled maintenance event uncordons
// the node if this handler cordoned it and no other live event remains.
//
// Poll errors never end the loop; after `unhealthyAfterErrors` in a row, health() turns false
// until a poll succeeds.
import { setMaxListeners } from 'node:events';
import { type Clock, isAbortError } from '../common/clock.js';
import type { KubeHttp } from '../common/kube.js';
import type { Health } from '../common/server.js';
import type { SpotConfig } from './config.js';
import { drainNode, type DrainResult } from './drain.js';
import { EventStore, type InterruptionEvent, KIND_REASON, type StoredEvent } from './events.js';
import { nodeActions, type NodeActions, TAINT_KEYS, taintValue } from './node-actions.js';
import { postWebhook, type SpotMetrics, spotMetrics, webhookBody } from './notify.js';

export interface EventSource {
  name: 'imds' | 'queue';
  /** The notices live now (and cancelled scheduled events). */
  poll(signal?: AbortSignal): Promise<InterruptionEvent[]>;
}

export interface LogEntry {
  level: 'info' | 'warn' | 'error';
  msg: string;
  [field: string]: unknown;
}

export interface SpotHandlerDeps {
  config: SpotConfig;
  clock: Clock;
  source: EventSource;
  kube: KubeHttp;
  log?: (entry: LogEntry) => void;
  metrics?: SpotMetrics;
  fetch?: typeof fetch;
  random?: () => number;
}

/** What happened to one event, for logs, tests and the webhook. */
export interface Outcome {
  eventId: string;
  action: 'cordon' | 'cordon-and-drain' | 'uncordon';
  ok: boolean;
  dryRun: boolean;
  drain?: DrainResult;
  error?: string;
}

export class SpotHandler {
  readonly store = new EventStore();
  readonly metrics: SpotMetrics;
  readonly outcomes: Outcome[] = [];
  private readonly node: NodeActions;
  private readonly running = new Map<string, { task: Promise<void>; abort: AbortController }>();
  private readonly cleaned = new Set<string>();
  private errorsInARow = 0;
  private lastError = '';
  private polls = 0;
  /** IDs of the live events in the latest successful poll. */
  private live = new Set<string>();
  private readonly log: (e: LogEntry) => void;

  constructor(private readonly d: SpotHandlerDeps) {
    this.metrics = d.metrics ?? spotMetrics();
    this.node = nodeActions(d.kube, d.config.nodeName, d.clock);
    this.log = d.log ?? (() => undefined);
    this.metrics.healthy.set(1);
  }

  health(): Health {
    if (this.errorsInARow >= this.d.config.unhealthyAfterErrors) {
      return { ok: false, reason: `${this.d.source.name}: ${this.errorsInARow} failed polls in a row; last: ${this.lastError}` };
    }
    return { ok: true };
  }

  /** Polls until the signal aborts, then waits for the work in progress to stop. */
  async run(signal: AbortSignal): Promise<void> {
    this.log({ level: 'info', msg: 'spot handler started', node: this.d.config.nodeName, source: this.d.source.name, dryRun: this.d.config.dryRun });
    try {
      while (!signal.aborted) {
        await this.pollOnce(signal);
        await this.d.clock.sleep(this.d.config.pollIntervalMs, signal).catch((e: unknown) => {
          if (!isAbortError(e)) throw e;
        });
      }
    } finally {
      for (const r of this.running.values()) r.abort.abort();
      await this.idle();
      this.log({ level: 'info', msg: 'spot handler stopped', node: this.d.config.nodeName });
    }
  }

  /** One poll: reads the source and starts (but does not wait for) the work it calls for. */
  async pollOnce(signal?: AbortSignal): Promise<void> {
    let events: InterruptionEvent[];
    try {
      events = await this.d.source.poll(signal);
    } catch (e) {
      if (signal?.aborted) return;
      this.errorsInARow++;
      this.lastError = (e as Error).message;
      this.metrics.sourceErrors.inc({ source: this.d.source.name });
      const unhealthy = !this.health().ok;
      this.metrics.healthy.set(unhealthy ? 0 : 1);
      this.log({ level: unhealthy ? 'error' : 'warn', msg: 'polling the event source failed', source: this.d.source.name, error: this.lastError, errorsInARow: this.errorsInARow });
      return;
    }
    if (this.errorsInARow) this.log({ level: 'info', msg: 'the event source answers again', source: this.d.source.name, after: this.errorsInARow });
    this.errorsInARow = 0;
    this.metrics.healthy.set(1);
    this.polls++;
    this.live = new Set(events.filter((e) => e.state === 'active').map((e) => e.id));
    const now = this.d.clock.now();
    for (const e of events) {
      const known = this.store.get(e.id);
      const s = this.store.upsert(e);
      if (!known || known.event.state !== e.state) this.metrics.events.inc({ kind: e.kind, state: e.state });
      if (e.state === 'active') {
        if (!known) this.log({ level: 'info', msg: 'interruption notice', event: e.id, kind: e.kind, description: e.description, deadline: e.deadline === undefined ? undefined : new Date(e.deadline).toISOString() });
        if ((s.progress === 'new' || (s.progress === 'failed' && now >= s.retryAt && now < this.deadlineOf(s.event))) && !this.running.has(e.id)) this.start(s, signal);
        else if (s.progress === 'done' && s.ackPending && !this.running.has(e.id)) this.startTask(e.id, () => this.acknowledge(s), signal);
      } else if (!this.cleaned.has(e.id) && !this.running.has(`cancel:${e.id}`)) {
        this.running.get(e.id)?.abort.abort();
        this.startTask(`cancel:${e.id}`, () => this.cancelled(s), signal);
      }
    }
  }

  /** Resolves when no work is in progress. */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.all([...this.running.values()].map((r) => r.task));
  }

  /** When the instance is expected to go. */
  deadlineOf(e: InterruptionEvent): number {
    return e.deadline ?? e.seenAt + this.d.config.defaultNoticeMs;
  }

  private start(s: StoredEvent, signal?: AbortSignal): void {
    s.progress = 'running';
    s.attempts++;
    this.startTask(s.event.id, (sig) => this.handle(s, sig), signal);
  }

  private startTask(id: string, work: (signal: AbortSignal) => Promise<void>, signal?: AbortSignal): void {
    const abort = new AbortController();
    // A drain passes this signal to one request per pod at once.
    setMaxListeners(0, abort.signal);
    const onAbort = () => abort.abort();
    signal?.addEventListener('abort', onAbort, { once: true });
    const task = work(abort.signal)
      .catch((e: unknown) => this.log({ level: 'error', msg: 'unexpected failure', event: id, error: (e as Error).message }))
      .finally(() => {
        signal?.removeEventListener('abort', onAbort);
        this.running.delete(id);
      });
    this.running.set(id, { task, abort });
  }

  private wantsDrain(e: InterruptionEvent): boolean {
    const c = this.d.config;
    switch (e.kind) {
      case 'spot-interruption':
        return true;
      case 'rebalance-recommendation':
        return c.rebalanceDrain;
      case 'scheduled-maintenance':
        return c.scheduledDrain;
      case 'asg-termination':
        return c.asgDrain;
    }
  }

  private async handle(s: StoredEvent, signal: AbortSignal): Promise<void> {
    const e = s.event;
    const c = this.d.config;
    const drain = this.wantsDrain(e);
    const action = drain ? 'cordon-and-drain' : 'cordon';
    const outcome: Outcome = { eventId: e.id, action, ok: false, dryRun: c.dryRun };
    const fields = { event: e.id, kind: e.kind, node: c.nodeName };
    // Keep-alives (lifecycle heartbeats) run from the start of the work until the drain ends.
    const beat = new AbortController();
    const beating = !c.dryRun && e.keepAlive ? e.keepAlive(AbortSignal.any([signal, beat.signal])).catch((err: unknown) => this.log({ level: 'warn', msg: 'keep-alive failed', error: (err as Error).message, ...fields })) : undefined;
    const stopBeating = async () => {
      beat.abort();
      await beating;
    };
    try {
      if (c.dryRun) {
        this.log({ level: 'info', msg: `dry run: would taint ${TAINT_KEYS[e.kind]}=${taintValue(e.id)}:${c.taintEffect} and cordon`, ...fields });
        this.metrics.actions.inc({ action: 'cordon', status: 'dry_run' });
      } else {
        await this.kubeEvent(KIND_REASON[e.kind], e.description);
        const tainted = await this.node.taint(e.kind, e.id, c.taintEffect);
        this.metrics.actions.inc({ action: 'taint', status: 'ok' });
        const cordoned = await this.node.cordon(e.id);
        this.metrics.actions.inc({ action: 'cordon', status: 'ok' });
        this.log({ level: 'info', msg: cordoned ? 'node cordoned' : 'node was already unschedulable', tainted, ...fields });
      }
      if (drain) {
        const deadline = this.deadlineOf(e);
        const now = this.d.clock.now();
        // A deadline already behind the margin still gets a short best-effort drain.
        const drainBy = Math.max(deadline - c.deadlineMarginMs, now + 5000);
        this.log({ level: 'info', msg: c.dryRun ? 'dry run: listing the pods a drain would evict' : 'draining', drainBy: new Date(drainBy).toISOString(), ...fields });
        const r = await drainNode(this.d.kube, {
          nodeName: c.nodeName,
          deadline: drainBy,
          clock: this.d.clock,
          podPollIntervalMs: c.podPollIntervalMs,
          retryMinMs: c.evictRetryMinMs,
          retryMaxMs: c.evictRetryMaxMs,
          selfPod: c.selfPod,
          dryRun: c.dryRun,
          random: this.d.random,
          signal,
          onEviction: (o) => this.metrics.evictions.inc({ outcome: o }),
        });
        await stopBeating();
        outcome.drain = r;
        this.metrics.drainSeconds.observe((r.finishedAt - r.startedAt) / 1000);
        this.metrics.podsRemaining.set(r.remaining.length);
        this.metrics.actions.inc({ action: 'drain', status: c.dryRun ? 'dry_run' : r.ok ? 'ok' : 'error' });
        const summary = { pods: r.pods.length, gone: r.gone.length, skipped: r.skipped.length, remaining: r.remaining, evictionVersion: r.evictionVersion, seconds: (r.finishedAt - r.startedAt) / 1000 };
        if (c.dryRun) this.log({ level: 'info', msg: 'dry run: would evict', pods: r.pods, skipped: r.skipped, ...fields });
        else if (r.ok) this.log({ level: 'info', msg: 'node drained', ...summary, ...fields });
        else this.log({ level: 'error', msg: 'drain incomplete at the deadline', ...summary, ...fields });
        outcome.ok = r.ok;
      } else outcome.ok = true;
      if (!c.dryRun) {
        await this.kubeEvent(outcome.ok ? (drain ? 'CordonAndDrain' : 'Cordon') : 'CordonAndDrainError', outcome.ok ? `${action} for ${e.kind} ${e.id}` : `drain incomplete: ${outcome.drain?.remaining.map((x) => x.pod).join(', ')}`, outcome.ok ? 'Normal' : 'Warning');
      }
    } catch (err) {
      if (signal.aborted) {
        s.progress = s.event.state === 'active' ? 'new' : 'done';
        this.log({ level: 'info', msg: 'work on the event stopped', ...fields });
        return;
      }
      outcome.error = (err as Error).message;
      this.metrics.actions.inc({ action, status: 'error' });
      this.log({ level: 'error', msg: `${action} failed`, error: outcome.error, ...fields });
    } finally {
      await stopBeating();
    }
    this.outcomes.push(outcome);
    if (outcome.ok) {
      s.progress = 'done';
      if (e.ack && !c.dryRun) await this.acknowledge(s);
    } else {
      s.progress = 'failed';
      s.lastError = outcome.error ?? 'drain incomplete';
      s.retryAt = this.d.clock.now() + c.evictRetryMaxMs;
    }
    await this.notify(e, action, outcome.ok ? (c.dryRun ? 'dry run' : 'done') : `failed: ${s.lastError}`);
  }

  /** Acknowledges finished work; on failure marks it to be tried again on a later poll. */
  private async acknowledge(s: StoredEvent): Promise<void> {
    const e = s.event;
    try {
      await e.ack?.();
      if (s.ackPending) this.log({ level: 'info', msg: 'event acknowledged on a later try', event: e.id, kind: e.kind });
      s.ackPending = false;
      this.metrics.actions.inc({ action: 'ack', status: 'ok' });
    } catch (err) {
      s.ackPending = true;
      this.metrics.actions.inc({ action: 'ack', status: 'error' });
      this.log({ level: 'warn', msg: 'acknowledging the event failed; tried again on a later poll', error: (err as Error).message, event: e.id, kind: e.kind, node: this.d.config.nodeName });
    }
  }

  /** A cancelled or completed maintenance event: uncordon when it was ours and nothing else is live. */
  private async cancelled(s: StoredEvent): Promise<void> {
    const e = s.event;
    const c = this.d.config;
    const fields = { event: e.id, kind: e.kind, node: c.nodeName, state: e.state };
    const others = this.store.active(e.id).filter((o) => this.live.has(o.event.id));
    if (others.length) {
      this.log({ level: 'info', msg: 'event cancelled; the node stays cordoned for other live events', others: others.map((o) => o.event.id), ...fields });
      this.cleaned.add(e.id);
      return;
    }
    try {
      const node = await this.node.get();
      const ours = s.progress !== 'new' || (node.spec?.taints ?? []).some((t) => t.key === TAINT_KEYS[e.kind] && t.value === taintValue(e.id));
      if (!ours) {
        this.cleaned.add(e.id);
        return;
      }
      if (c.dryRun) {
        this.log({ level: 'info', msg: 'dry run: would uncordon and remove the taints', ...fields });
        this.metrics.actions.inc({ action: 'uncordon', status: 'dry_run' });
      } else {
        const removed = await this.node.removeTaints();
        const uncordoned = await this.node.uncordon();
        this.metrics.actions.inc({ action: 'uncordon', status: 'ok' });
        this.log({ level: 'info', msg: uncordoned ? 'event cancelled: node uncordoned' : 'event cancelled: taints removed; the node was cordoned by someone else and stays so', removed, ...fields });
        await this.kubeEvent('Uncordon', `${e.id} is ${e.state}`);
      }
      this.cleaned.add(e.id);
      s.progress = 'done';
      this.outcomes.push({ eventId: e.id, action: 'uncordon', ok: true, dryRun: c.dryRun });
      await this.notify(e, 'uncordon', c.dryRun ? 'dry run' : 'done');
    } catch (err) {
      this.metrics.actions.inc({ action: 'uncordon', status: 'error' });
      this.log({ level: 'error', msg: 'uncordon failed; retried on the next poll', error: (err as Error).message, ...fields });
    }
  }

  private async kubeEvent(reason: string, message: string, type: 'Normal' | 'Warning' = 'Normal'): Promise<void> {
    await this.node.event(reason, message, type).catch((err: unknown) => this.log({ level: 'warn', msg: 'recording a Kubernetes event failed', reason, error: (err as Error).message }));
  }

  private async notify(e: InterruptionEvent, action: string, outcome: string): Promise<void> {
    const url = this.d.config.webhookUrl;
    if (!url) return;
    try {
      await postWebhook(url, webhookBody({ event: e, nodeName: this.d.config.nodeName, action, outcome, dryRun: this.d.config.dryRun }), this.d.config.webhookTimeoutMs, this.d.fetch);
    } catch (err) {
      this.metrics.webhookErrors.inc();
      this.log({ level: 'warn', msg: 'posting the webhook failed', error: (err as Error).message, event: e.id });
    }
  }
}
