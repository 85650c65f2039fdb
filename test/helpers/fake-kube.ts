// An in-memory stand-in for the few API calls the spot handler makes (for unit tests that need no
// real server): GET/PATCH (merge patch)/PUT of one Node with resourceVersion conflicts, the pod list
// by spec.nodeName, DaemonSet GETs, pod evictions (an answer per pod may be scripted; by default
// the pod is deleted at once), and Event POSTs. Behaviour it copies from the real apiserver: a PUT
// with a stale resourceVersion is 409; a null in a merge patch removes the key.
import type { KubeHttp, KubeRequest, KubeResponse } from '../../src/daemons/common/kube.js';
import type { PodDoc } from '../../src/daemons/spot/drain.js';
import type { NodeDoc } from '../../src/daemons/spot/node-actions.js';

export interface FakeKube extends KubeHttp {
  node: NodeDoc;
  pods: PodDoc[];
  daemonSets: Set<string>;
  events: Array<{ reason: string; message: string; type: string }>;
  /** Requests seen, as `METHOD path`. */
  calls: string[];
  /** Scripted eviction answers by `ns/name`, used first to last; when empty, the pod is deleted. */
  evictionAnswers: Map<string, number[]>;
  /** Fail every request with this status (e.g. 500) while set. */
  failAll?: number;
}

function merge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete target[k];
    else if (v && typeof v === 'object' && !Array.isArray(v)) {
      const t = (target[k] && typeof target[k] === 'object' ? target[k] : (target[k] = {})) as Record<string, unknown>;
      merge(t, v as Record<string, unknown>);
    } else target[k] = v;
  }
}

export function fakeKube(nodeName: string): FakeKube {
  let rv = 1;
  const f: FakeKube = {
    where: 'fake',
    node: { metadata: { name: nodeName, uid: 'node-uid', resourceVersion: '1' }, spec: {} },
    pods: [],
    daemonSets: new Set(),
    events: [],
    calls: [],
    evictionAnswers: new Map(),
    close: () => undefined,
    async request<T>(path: string, req: KubeRequest = {}): Promise<KubeResponse<T>> {
      const method = req.method ?? 'GET';
      f.calls.push(`${method} ${path}`);
      const ok = (status: number, body?: unknown) => ({ status, body: body as T });
      if (f.failAll) return ok(f.failAll, { message: 'scripted failure' });
      const nodePath = `/api/v1/nodes/${nodeName}`;
      if (path === nodePath) {
        if (method === 'GET') return ok(200, structuredClone(f.node));
        if (method === 'PATCH') {
          merge(f.node as unknown as Record<string, unknown>, req.body as Record<string, unknown>);
          f.node.metadata.resourceVersion = String(++rv);
          return ok(200, structuredClone(f.node));
        }
        if (method === 'PUT') {
          const b = req.body as NodeDoc;
          if (b.metadata.resourceVersion !== f.node.metadata.resourceVersion) return ok(409, { message: 'conflict' });
          f.node = structuredClone(b);
          f.node.metadata.resourceVersion = String(++rv);
          return ok(200, structuredClone(f.node));
        }
      }
      if (path.startsWith('/api/v1/pods?')) return ok(200, { items: structuredClone(f.pods) });
      const ds = /^\/apis\/apps\/v1\/namespaces\/([^/]+)\/daemonsets\/([^/]+)$/.exec(path);
      if (ds) return f.daemonSets.has(`${ds[1]}/${ds[2]}`) ? ok(200, {}) : ok(404, { message: 'not found' });
      const ev = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/eviction$/.exec(path);
      if (ev && method === 'POST') {
        const key = `${ev[1]}/${ev[2]}`;
        const scripted = f.evictionAnswers.get(key);
        const status = scripted?.length ? scripted.shift()! : 201;
        if (status === 429) return ok(429, { reason: 'TooManyRequests', message: 'Cannot evict pod as it would violate the pod\'s disruption budget.', details: { causes: [{ type: 'DisruptionBudget', message: 'The disruption budget pdb needs 1 healthy pods and has 1 currently' }] } });
        if (status !== 201) return ok(status, { message: `scripted ${status}` });
        const i = f.pods.findIndex((p) => `${p.metadata.namespace}/${p.metadata.name}` === key);
        if (i < 0) return ok(404, { message: 'not found', details: { kind: 'pods' } });
        f.pods.splice(i, 1);
        return ok(201, { status: 'Success' });
      }
      if (path === '/api/v1/namespaces/default/events' && method === 'POST') {
        const b = req.body as { reason: string; message: string; type: string };
        f.events.push({ reason: b.reason, message: b.message, type: b.type });
        return ok(201, b);
      }
      return ok(404, { message: `fake: no route ${method} ${path}` });
    },
  };
  return f;
}

export function pod(namespace: string, name: string, extra: Partial<PodDoc['metadata']> = {}): PodDoc {
  return { metadata: { namespace, name, uid: `${namespace}-${name}-uid`, ...extra }, spec: { terminationGracePeriodSeconds: 30 }, status: { phase: 'Running' } };
}
