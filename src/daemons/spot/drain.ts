// Draining a node through the eviction API before a deadline.
//
// Which pods: everything bound to the node except mirror pods (the kubelet owns them), pods of a
// DaemonSet that still exists (its controller would put them straight back, and they tolerate the
// taint anyway) and this handler's own pod. Every eviction starts at once; a 429 (a PDB allows no
// disruption now) is retried after a jittered wait that respects retryAfterSeconds, until the
// deadline. Each pod's grace period is capped to the time left, so its SIGTERM lands before the
// instance goes. A pod counts as gone when it is no longer listed or has a new UID (recreated under
// the same name), as kubectl's drain decides.
//
// Eviction is policy/v1 from Kubernetes 1.22; older servers reject it, and then policy/v1beta1 is
// used for the rest of the drain.
import { backoff } from '../common/backoff.js';
import { type Clock, isAbortError } from '../common/clock.js';
import type { KubeHttp } from '../common/kube.js';

export interface PodDoc {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    annotations?: Record<string, string>;
    ownerReferences?: Array<{ kind: string; name: string; controller?: boolean; apiVersion?: string }>;
    deletionTimestamp?: string;
  };
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

export interface DrainOptions {
  nodeName: string;
  /** When the drain must be over (ms); evictions still blocked then are reported. */
  deadline: number;
  clock: Clock;
  podPollIntervalMs: number;
  retryMinMs: number;
  retryMaxMs: number;
  /** Never evicted (this handler's pod). */
  selfPod?: { namespace: string; name: string };
  dryRun?: boolean;
  random?: () => number;
  signal?: AbortSignal;
  /** Called for each eviction answer: 'evicted', 'blocked' (429), 'gone' (404/409) or 'error'. */
  onEviction?: (outcome: 'evicted' | 'blocked' | 'gone' | 'error', pod: string) => void;
}

export interface SkippedPod {
  pod: string;
  why: 'daemonset' | 'mirror' | 'self';
}

export interface DrainResult {
  /** Pods to evict (after filtering). */
  pods: string[];
  skipped: SkippedPod[];
  /** Pods whose eviction was accepted (or that were already going). */
  evicted: string[];
  /** Pods confirmed gone. */
  gone: string[];
  /** Pods not gone at the deadline, with the last reason. */
  remaining: Array<{ pod: string; reason: string }>;
  /** 'policy/v1' or 'policy/v1beta1'; undefined when nothing was evicted. */
  evictionVersion?: string;
  /** Clock time when every pod had its first eviction request answered. */
  allIssuedAt?: number;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
}

const MIRROR = 'kubernetes.io/config.mirror';
const VERSIONS = ['policy/v1', 'policy/v1beta1'] as const;

const podKey = (p: PodDoc) => `${p.metadata.namespace}/${p.metadata.name}`;

/** The pods bound to a node, in one list call. */
export async function listNodePods(kube: KubeHttp, nodeName: string, signal?: AbortSignal): Promise<PodDoc[]> {
  const r = await kube.request<{ items?: PodDoc[] }>(`/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${nodeName}`)}`, { signal });
  if (r.status !== 200 || !r.body) throw new Error(`listing the pods of node ${nodeName} answered ${r.status}`);
  return r.body.items ?? [];
}

/** Splits pods into those to evict and those left alone (with why). */
export async function choosePods(kube: KubeHttp, pods: PodDoc[], selfPod?: { namespace: string; name: string }): Promise<{ evict: PodDoc[]; skipped: SkippedPod[] }> {
  const evict: PodDoc[] = [];
  const skipped: SkippedPod[] = [];
  const daemonSets = new Map<string, Promise<boolean>>();
  const dsExists = (ns: string, name: string) => {
    const k = `${ns}/${name}`;
    let p = daemonSets.get(k);
    if (!p) {
      p = kube.request(`/apis/apps/v1/namespaces/${encodeURIComponent(ns)}/daemonsets/${encodeURIComponent(name)}`).then((r) => r.status !== 404);
      daemonSets.set(k, p);
    }
    return p;
  };
  for (const p of pods) {
    const key = podKey(p);
    if (selfPod && p.metadata.namespace === selfPod.namespace && p.metadata.name === selfPod.name) skipped.push({ pod: key, why: 'self' });
    else if (p.metadata.annotations?.[MIRROR] !== undefined) skipped.push({ pod: key, why: 'mirror' });
    else {
      const ds = p.metadata.ownerReferences?.find((o) => o.controller && o.kind === 'DaemonSet');
      // A pod whose DaemonSet is gone is an orphan: nothing would bring it back, so it is evicted.
      if (ds && (await dsExists(p.metadata.namespace, ds.name))) skipped.push({ pod: key, why: 'daemonset' });
      else evict.push(p);
    }
  }
  return { evict, skipped };
}

/** The grace period to ask for: the pod's own, capped to the whole seconds left; undefined = the pod's own. */
export function gracePeriodFor(pod: PodDoc, now: number, deadline: number): number | undefined {
  const own = pod.spec?.terminationGracePeriodSeconds ?? 30;
  const left = Math.max(0, Math.floor((deadline - now) / 1000));
  return own <= left ? undefined : left;
}

interface EvictionAnswer {
  status: number;
  body?: { reason?: string; message?: string; details?: { retryAfterSeconds?: number; kind?: string; causes?: Array<{ message?: string }> } };
}

export async function drainNode(kube: KubeHttp, o: DrainOptions): Promise<DrainResult> {
  const { clock } = o;
  const startedAt = clock.now();
  const listed = await listNodePods(kube, o.nodeName, o.signal);
  const { evict, skipped } = await choosePods(kube, listed, o.selfPod);
  const result: DrainResult = { pods: evict.map(podKey), skipped, evicted: [], gone: [], remaining: [], startedAt, finishedAt: startedAt, ok: true };
  if (o.dryRun || evict.length === 0) {
    result.finishedAt = clock.now();
    result.ok = true;
    return result;
  }

  let version: (typeof VERSIONS)[number] | undefined;
  let versionProbe: Promise<unknown> | undefined;
  const lastReason = new Map<string, string>();
  const timeLeft = () => o.deadline - clock.now();

  const post = async (p: PodDoc, v: (typeof VERSIONS)[number]): Promise<EvictionAnswer> => {
    const grace = gracePeriodFor(p, clock.now(), o.deadline);
    const deleteOptions: Record<string, unknown> = { preconditions: { uid: p.metadata.uid } };
    if (grace !== undefined) deleteOptions.gracePeriodSeconds = grace;
    const body = { apiVersion: v, kind: 'Eviction', metadata: { name: p.metadata.name, namespace: p.metadata.namespace }, deleteOptions };
    const r = await kube.request<EvictionAnswer['body']>(`/api/v1/namespaces/${encodeURIComponent(p.metadata.namespace)}/pods/${encodeURIComponent(p.metadata.name)}/eviction`, {
      method: 'POST',
      body,
      signal: o.signal,
      timeoutMs: Math.max(1000, Math.min(15_000, timeLeft())),
    });
    return { status: r.status, body: r.body };
  };

  /** A server that does not know this Eviction version says so with 400 (or 404 for the version). */
  const versionRejected = (a: EvictionAnswer) => a.status === 400 || (a.status === 404 && a.body?.details?.kind !== 'pods');

  /** One request with the version settled: the first pod to ask finds out, the others wait for it. */
  const evictOnce = async (p: PodDoc): Promise<EvictionAnswer> => {
    if (version) return post(p, version);
    if (versionProbe) {
      await versionProbe.catch(() => undefined);
      if (version) return post(p, version);
    }
    let settle!: () => void;
    versionProbe = new Promise<void>((r) => (settle = r));
    try {
      for (const v of VERSIONS) {
        const a = await post(p, v);
        if (versionRejected(a) && v !== VERSIONS[VERSIONS.length - 1]) continue;
        if (!versionRejected(a)) version = v;
        return a;
      }
      throw new Error('unreachable');
    } finally {
      if (!version) versionProbe = undefined;
      settle();
    }
  };

  const evictOne = async (p: PodDoc): Promise<'evicted' | 'gone' | 'stopped'> => {
    const key = podKey(p);
    if (p.metadata.deletionTimestamp) return 'evicted';
    const wait = backoff({ minMs: o.retryMinMs, maxMs: o.retryMaxMs, random: o.random });
    for (;;) {
      let a: EvictionAnswer;
      try {
        a = await evictOnce(p);
      } catch (e) {
        if (o.signal?.aborted) throw e;
        a = { status: 0, body: { message: (e as Error).message } };
      }
      firstAnswered(key);
      if (a.status === 200 || a.status === 201) {
        o.onEviction?.('evicted', key);
        return 'evicted';
      }
      if (a.status === 404 || a.status === 409) {
        // Gone already, or the name now belongs to a new pod (the UID precondition failed).
        o.onEviction?.('gone', key);
        return 'gone';
      }
      let delay = wait.next();
      if (a.status === 429) {
        o.onEviction?.('blocked', key);
        const cause = a.body?.details?.causes?.[0]?.message ?? a.body?.message ?? 'too many requests';
        lastReason.set(key, `eviction refused (429): ${cause}`);
        const after = a.body?.details?.retryAfterSeconds;
        if (typeof after === 'number' && after > 0) delay = Math.max(delay, Math.min(after * 1000, o.retryMaxMs * 2));
      } else {
        o.onEviction?.('error', key);
        lastReason.set(key, `eviction failed (${a.status || 'no answer'}): ${a.body?.message ?? ''}`.trim());
      }
      if (timeLeft() <= delay) return 'stopped';
      await clock.sleep(delay, o.signal);
    }
  };

  const answered = new Set<string>();
  const firstAnswered = (key: string) => {
    answered.add(key);
    if (answered.size === evict.length && result.allIssuedAt === undefined) result.allIssuedAt = clock.now();
  };

  const waiting = new Map<string, string>(); // evicted pod → uid, until gone
  let wake: (() => void) | undefined;
  const evictions = Promise.all(
    evict.map(async (p) => {
      const key = podKey(p);
      const outcome = await evictOne(p).finally(() => firstAnswered(key));
      if (outcome === 'gone') result.gone.push(key);
      else if (outcome === 'evicted') {
        result.evicted.push(key);
        waiting.set(key, p.metadata.uid);
        wake?.();
      }
    }),
  );
  let evictionsDone = false;
  void evictions.then(
    () => {
      evictionsDone = true;
      wake?.();
    },
    () => {
      evictionsDone = true;
      wake?.();
    },
  );

  // Pods evicted are checked with one list per interval until gone, or until the deadline.
  try {
    for (;;) {
      if (waiting.size) {
        const now = await listNodePods(kube, o.nodeName, o.signal).catch((e: unknown) => {
          if (isAbortError(e) || o.signal?.aborted) throw e;
          return undefined;
        });
        if (now) {
          const present = new Map(now.map((p) => [podKey(p), p.metadata.uid]));
          for (const [key, uid] of [...waiting]) {
            if (present.get(key) !== uid) {
              waiting.delete(key);
              result.gone.push(key);
            }
          }
        }
      }
      if (evictionsDone && waiting.size === 0) break;
      if (timeLeft() <= 0) break;
      const pause = Math.min(o.podPollIntervalMs, Math.max(1, timeLeft()));
      const woken = waiting.size === 0 ? new Promise<void>((r) => (wake = r)) : undefined;
      await (woken ? Promise.race([woken, clock.sleep(pause, o.signal)]) : clock.sleep(pause, o.signal));
      wake = undefined;
    }
  } finally {
    await evictions.catch(() => undefined);
  }
  await evictions;

  result.evictionVersion = version;
  for (const p of evict) {
    const key = podKey(p);
    if (result.gone.includes(key)) continue;
    result.remaining.push({ pod: key, reason: waiting.has(key) ? 'evicted but still present at the deadline' : (lastReason.get(key) ?? 'not evicted before the deadline') });
  }
  result.gone.sort();
  result.evicted.sort();
  result.ok = result.remaining.length === 0;
  result.finishedAt = clock.now();
  return result;
}
