// Writes to the Node: cordon and uncordon with a merge patch on spec.unschedulable (plus an
// annotation recording that this handler cordoned it, so a cancelled event never uncordons a node
// an operator cordoned); taints by GET then PUT with the resourceVersion, retried on 409, because
// spec.taints has no merge key and any patch would replace the whole list. Kubernetes Events on
// the Node report what was done.
import type { Clock } from '../common/clock.js';
import { type KubeHttp, statusMessage } from '../common/kube.js';
import { KuberatorError } from '../../errors.js';
import { type EventKind } from './events.js';

export const TAINT_PREFIX = 'kuberator.dev/';
export const TAINT_KEYS: Record<EventKind, string> = {
  'spot-interruption': `${TAINT_PREFIX}spot-interruption`,
  'rebalance-recommendation': `${TAINT_PREFIX}rebalance-recommendation`,
  'scheduled-maintenance': `${TAINT_PREFIX}scheduled-maintenance`,
  'asg-termination': `${TAINT_PREFIX}asg-termination`,
};
/** Set while this handler holds the node cordoned; its value is the event ID. */
export const CORDONED_BY = 'spot-handler.kuberator.dev/cordoned-for';
const ALL_TAINT_KEYS = new Set(Object.values(TAINT_KEYS));

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface NodeDoc {
  metadata: { name: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: Taint[]; providerID?: string };
}

export class KubeApiError extends KuberatorError {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super('KBR-SPOT020', message);
  }
}

/** A taint value: at most 63 characters of the event ID, ending in an alphanumeric. */
export function taintValue(eventId: string): string {
  return eventId.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

export interface NodeActions {
  get(): Promise<NodeDoc>;
  /** Cordons; false when the node was already unschedulable (and is then not claimed). */
  cordon(eventId: string): Promise<boolean>;
  /** Uncordons only when this handler cordoned it; returns whether it did. */
  uncordon(): Promise<boolean>;
  /** Adds (or updates) the taint of this kind; false when it was already there with this value. */
  taint(kind: EventKind, eventId: string, effect: string): Promise<boolean>;
  /** Removes every taint of this handler; returns the keys removed. */
  removeTaints(): Promise<string[]>;
  /** A Kubernetes Event on the node. */
  event(reason: string, message: string, type?: 'Normal' | 'Warning'): Promise<void>;
}

export function nodeActions(kube: KubeHttp, nodeName: string, clock: Clock, component = 'kuberator-spot-handler'): NodeActions {
  const path = `/api/v1/nodes/${encodeURIComponent(nodeName)}`;
  const fail = (what: string, status: number, body: unknown) => new KubeApiError(status, `${what} node ${nodeName} on ${kube.where}: ${status} ${statusMessage(body)}`.trim());

  const get = async (): Promise<NodeDoc> => {
    const r = await kube.request<NodeDoc>(path);
    if (r.status !== 200 || !r.body) throw fail('reading', r.status, r.body);
    return r.body;
  };

  const patch = async (body: unknown, what: string) => {
    const r = await kube.request(path, { method: 'PATCH', body, contentType: 'application/merge-patch+json' });
    if (r.status !== 200) throw fail(what, r.status, r.body);
  };

  /** GET, change, PUT; on 409 again, every 750 ms for up to 5 s. */
  const update = async (change: (n: NodeDoc) => boolean, what: string): Promise<boolean> => {
    const until = clock.now() + 5000;
    for (;;) {
      const n = await get();
      if (!change(n)) return false;
      const r = await kube.request(path, { method: 'PUT', body: n });
      if (r.status === 200) return true;
      if (r.status !== 409 || clock.now() >= until) throw fail(what, r.status, r.body);
      await clock.sleep(750);
    }
  };

  return {
    get,
    async cordon(eventId) {
      const n = await get();
      if (n.spec?.unschedulable) return false;
      await patch({ metadata: { annotations: { [CORDONED_BY]: eventId } }, spec: { unschedulable: true } }, 'cordoning');
      return true;
    },
    async uncordon() {
      const n = await get();
      if (!n.metadata.annotations?.[CORDONED_BY]) return false;
      await patch({ metadata: { annotations: { [CORDONED_BY]: null } }, spec: { unschedulable: n.spec?.unschedulable ? null : undefined } }, 'uncordoning');
      return true;
    },
    taint(kind, eventId, effect) {
      const key = TAINT_KEYS[kind];
      const value = taintValue(eventId);
      return update((n) => {
        const taints = (n.spec ??= {}).taints ?? [];
        const old = taints.find((t) => t.key === key && t.effect === effect);
        if (old?.value === value) return false;
        n.spec.taints = [...taints.filter((t) => !(t.key === key && t.effect === effect)), { key, value, effect, timeAdded: new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z') }];
        return true;
      }, 'tainting');
    },
    async removeTaints() {
      let removed: string[] = [];
      await update((n) => {
        const taints = n.spec?.taints ?? [];
        removed = taints.filter((t) => ALL_TAINT_KEYS.has(t.key)).map((t) => t.key);
        if (!removed.length) return false;
        n.spec!.taints = taints.filter((t) => !ALL_TAINT_KEYS.has(t.key));
        return true;
      }, 'removing taints from');
      return removed;
    },
    async event(reason, message, type = 'Normal') {
      const node = await get().catch(() => undefined);
      const now = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const body = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { generateName: `${nodeName}.`, namespace: 'default' },
        involvedObject: { apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node?.metadata.uid ?? nodeName },
        reason,
        message,
        type,
        source: { component, host: nodeName },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        reportingComponent: component,
        reportingInstance: nodeName,
      };
      const r = await kube.request('/api/v1/namespaces/default/events', { method: 'POST', body });
      if (r.status !== 201 && r.status !== 200) throw fail('recording an event for', r.status, r.body);
    },
  };
}
