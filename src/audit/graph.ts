// The object graph: which pods a Service, PDB or NetworkPolicy selects, which object an HPA
// scales, which Services an Ingress sends to. Built once per audit with per-namespace indexes,
// so cross-object rules stay linear in the input.
import type { KubeObject } from './objects.js';

export interface Container {
  name?: string;
  image?: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  env?: Array<{ name?: string; value?: unknown; valueFrom?: unknown }>;
  ports?: Array<{ containerPort?: number; hostPort?: number; name?: string; protocol?: string }>;
  resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  readinessProbe?: Record<string, unknown>;
  livenessProbe?: Record<string, unknown>;
  startupProbe?: Record<string, unknown>;
  securityContext?: SecurityContext;
  volumeMounts?: Array<{ name?: string; mountPath?: string; readOnly?: boolean }>;
}

export interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  runAsGroup?: number;
  readOnlyRootFilesystem?: boolean;
  procMount?: string;
  capabilities?: { add?: string[]; drop?: string[] };
  windowsOptions?: { hostProcess?: boolean };
  seccompProfile?: { type?: string };
}

export interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: SecurityContext & { fsGroup?: number };
  volumes?: Array<{ name?: string; hostPath?: { path?: string }; persistentVolumeClaim?: { claimName?: string }; emptyDir?: unknown } & Record<string, unknown>>;
  nodeSelector?: Record<string, string>;
  affinity?: {
    nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }> } };
    podAntiAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: Array<{ topologyKey?: string }>; preferredDuringSchedulingIgnoredDuringExecution?: Array<{ podAffinityTerm?: { topologyKey?: string } }> };
  };
  topologySpreadConstraints?: Array<{ topologyKey?: string; maxSkew?: number; whenUnsatisfiable?: string; labelSelector?: LabelSelector }>;
  tolerations?: Array<{ key?: string; operator?: string; value?: string; effect?: string }>;
  restartPolicy?: string;
  priorityClassName?: string;
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/** A pod template inside an object: its spec, the path of that spec, and the pods' labels. */
export interface PodTemplate {
  spec: PodSpec;
  /** Path of the pod spec inside the object (`spec.template.spec`). */
  path: string;
  labels: Record<string, string>;
}

/** One container with its path, for container-level findings. */
export interface ContainerRef {
  container: Container;
  name: string;
  path: string;
  init: boolean;
}

/** Controllers that keep pods running (Jobs and CronJobs run to completion; bare Pods are not kept). */
export const LONG_RUNNING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController', 'DeploymentConfig', 'Rollout']);
export const SCALABLE = new Set(['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'DeploymentConfig', 'Rollout']);

/** The template cached on the object itself (null: it has none); every rule asks, so this is hot. */
const TEMPLATE = Symbol('podTemplate');
type WithTemplate = KubeObject & { [TEMPLATE]?: PodTemplate | null };

/** The pod template an object carries: Pods, CronJobs, and anything with spec.template.spec.containers (custom workloads too). */
export function podTemplate(o: KubeObject): PodTemplate | undefined {
  const cached = (o as WithTemplate)[TEMPLATE];
  if (cached !== undefined) return cached ?? undefined;
  const t = findTemplate(o);
  (o as WithTemplate)[TEMPLATE] = t ?? null;
  return t;
}

function findTemplate(o: KubeObject): PodTemplate | undefined {
  const spec = asRecord(o.raw.spec);
  if (!spec) return undefined;
  if (o.kind === 'Pod') return { spec: spec as PodSpec, path: 'spec', labels: o.labels };
  if (o.kind === 'CronJob') {
    const tpl = asRecord(asRecord(asRecord(spec.jobTemplate)?.spec)?.template);
    const ps = asRecord(tpl?.spec);
    return ps ? { spec: ps as PodSpec, path: 'spec.jobTemplate.spec.template.spec', labels: labelsOf(tpl) } : undefined;
  }
  const tpl = asRecord(spec.template);
  const ps = asRecord(tpl?.spec);
  if (!ps || !Array.isArray(ps.containers)) return undefined;
  return { spec: ps as PodSpec, path: 'spec.template.spec', labels: labelsOf(tpl) };
}

function labelsOf(tpl: Record<string, unknown> | undefined): Record<string, string> {
  const l = asRecord(asRecord(tpl?.metadata)?.labels);
  const out: Record<string, string> = {};
  if (l) for (const [k, v] of Object.entries(l)) if (v !== null && v !== undefined) out[k] = String(v);
  return out;
}

const containerLists = new WeakMap<PodTemplate, { main: ContainerRef[]; all: ContainerRef[] }>();

/** The template's containers (and init containers with `init`), computed once per template. */
export function containers(t: PodTemplate, opts: { init?: boolean } = {}): ContainerRef[] {
  let hit = containerLists.get(t);
  if (!hit) {
    const all = listContainers(t);
    containerLists.set(t, (hit = { main: all.filter((c) => !c.init), all }));
  }
  return opts.init ? hit.all : hit.main;
}

function listContainers(t: PodTemplate): ContainerRef[] {
  const out: ContainerRef[] = [];
  const list = (key: 'containers' | 'initContainers', init: boolean) => {
    const cs = t.spec[key];
    if (!Array.isArray(cs)) return;
    cs.forEach((c, i) => {
      if (c && typeof c === 'object') out.push({ container: c, name: typeof c.name === 'string' ? c.name : `#${i}`, path: `${t.path}.${key}[${i}]`, init });
    });
  };
  list('containers', false);
  list('initContainers', true);
  return out;
}

/** Replicas a scalable object runs (1 when unset, as the API server defaults it). */
export function replicasOf(o: KubeObject): number | undefined {
  if (!SCALABLE.has(o.kind)) return undefined;
  const r = asRecord(o.raw.spec)?.replicas;
  return typeof r === 'number' ? r : 1;
}

export function asRecord(v: unknown): Record<string, unknown> | undefined {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function matchesLabels(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== String(v)) return false;
  return true;
}

/** A LabelSelector against labels; an empty selector matches everything. */
export function matchesSelector(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return false;
  if (sel.matchLabels && !matchesLabels(sel.matchLabels, labels)) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const vals = (e.values ?? []).map(String);
    switch (e.operator) {
      case 'In':
        if (!has || !vals.includes(labels[e.key]!)) return false;
        break;
      case 'NotIn':
        if (has && vals.includes(labels[e.key]!)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

function isEmptySelector(sel: LabelSelector | undefined): boolean {
  return !!sel && !Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length;
}

export class ObjectGraph {
  readonly objects: readonly KubeObject[];
  /** Objects with a pod template (workloads), in input order. */
  readonly workloads: readonly KubeObject[];
  private readonly byNs = new Map<string, Map<string, KubeObject[]>>();
  private readonly byName = new Map<string, KubeObject>();
  private readonly cache = new Map<string, WeakMap<KubeObject, KubeObject[]>>();

  constructor(objects: readonly KubeObject[]) {
    this.objects = objects;
    const workloads: KubeObject[] = [];
    for (const o of objects) {
      let ns = this.byNs.get(o.namespace);
      if (!ns) this.byNs.set(o.namespace, (ns = new Map()));
      let list = ns.get(o.kind);
      if (!list) ns.set(o.kind, (list = []));
      list.push(o);
      const key = `${o.kind}\0${o.namespace}\0${o.name}`;
      if (!this.byName.has(key)) this.byName.set(key, o);
      if (podTemplate(o)) workloads.push(o);
    }
    this.workloads = workloads;
  }

  /** Objects of a kind in a namespace ('' for cluster-scoped kinds). */
  inNamespace(namespace: string, kind: string): readonly KubeObject[] {
    return this.byNs.get(namespace)?.get(kind) ?? [];
  }

  ofKind(kind: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const ns of this.byNs.values()) out.push(...(ns.get(kind) ?? []));
    return out;
  }

  find(kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.byName.get(`${kind}\0${namespace}\0${name}`);
  }

  namespaces(): string[] {
    return [...this.byNs.keys()].filter(Boolean);
  }

  /** Workloads in the namespace whose pods carry labels the predicate accepts. */
  private workloadsIn(namespace: string, match: (labels: Record<string, string>) => boolean): KubeObject[] {
    const out: KubeObject[] = [];
    const ns = this.byNs.get(namespace);
    if (!ns) return out;
    for (const list of ns.values()) for (const o of list) {
      const t = podTemplate(o);
      if (t && match(t.labels)) out.push(o);
    }
    return out;
  }

  private memo(key: string, o: KubeObject, compute: () => KubeObject[]): KubeObject[] {
    let m = this.cache.get(key);
    if (!m) this.cache.set(key, (m = new WeakMap()));
    let hit = m.get(o);
    if (!hit) m.set(o, (hit = compute()));
    return hit;
  }

  /**
   * Workloads of the namespace a LabelSelector picks: through the label index when it has
   * matchLabels (the common case), else by a scan of the namespace.
   */
  private selectWorkloads(namespace: string, sel: LabelSelector): KubeObject[] {
    const ml = asRecord(sel.matchLabels) as Record<string, string> | undefined;
    if (ml && Object.keys(ml).length) {
      const hits = this.workloadsWithLabels(namespace, ml);
      return Array.isArray(sel.matchExpressions) && sel.matchExpressions.length ? hits.filter((w) => matchesSelector(sel, podTemplate(w)!.labels)) : hits;
    }
    return this.workloadsIn(namespace, (l) => matchesSelector(sel, l));
  }

  private readonly inverse = new Map<string, WeakMap<KubeObject, KubeObject[]>>();

  /**
   * A forward relation (object → workloads) inverted over every object of `kind`, once per audit:
   * workload → the objects that pick it, in input order. Costs the sum of the forward relations,
   * not objects × workloads.
   */
  private inverted(kind: string, forward: (o: KubeObject) => KubeObject[]): WeakMap<KubeObject, KubeObject[]> {
    let m = this.inverse.get(kind);
    if (m) return m;
    m = new WeakMap();
    for (const o of this.ofKind(kind)) {
      for (const w of forward(o)) {
        let list = m.get(w);
        if (!list) m.set(w, (list = []));
        list.push(o);
      }
    }
    this.inverse.set(kind, m);
    return m;
  }

  /** Workloads a Service sends traffic to; none when the Service has no selector. */
  serviceTargets(svc: KubeObject): KubeObject[] {
    return this.memo('svcTargets', svc, () => {
      const sel = asRecord(asRecord(svc.raw.spec)?.selector) as Record<string, string> | undefined;
      if (!sel || !Object.keys(sel).length) return [];
      return this.workloadsWithLabels(svc.namespace, sel);
    });
  }

  /** Services whose selector picks the workload's pods. */
  servicesFor(w: KubeObject): KubeObject[] {
    if (!podTemplate(w)) return [];
    return this.inverted('Service', (s) => this.serviceTargets(s)).get(w) ?? [];
  }

  /** PDBs that select the workload's pods. An empty selector selects all pods under policy/v1 and none under v1beta1. */
  pdbsFor(w: KubeObject): KubeObject[] {
    if (!podTemplate(w)) return [];
    return this.inverted('PodDisruptionBudget', (p) => this.pdbTargets(p)).get(w) ?? [];
  }

  /** Workloads a PDB covers. */
  pdbTargets(pdb: KubeObject): KubeObject[] {
    return this.memo('pdbTargets', pdb, () => {
      const sel = asRecord(pdb.raw.spec)?.selector as LabelSelector | undefined;
      if (isEmptySelector(sel)) return pdb.apiVersion.endsWith('v1beta1') ? [] : this.workloadsIn(pdb.namespace, () => true);
      return sel && typeof sel === 'object' ? this.selectWorkloads(pdb.namespace, sel) : [];
    });
  }

  private hpaIndex: Map<string, KubeObject[]> | undefined;

  /** HPAs whose scaleTargetRef names the object. */
  hpasFor(w: KubeObject): KubeObject[] {
    if (!this.hpaIndex) {
      this.hpaIndex = new Map();
      for (const h of this.ofKind('HorizontalPodAutoscaler')) {
        const ref = asRecord(asRecord(h.raw.spec)?.scaleTargetRef);
        if (typeof ref?.kind !== 'string' || typeof ref.name !== 'string') continue;
        const key = `${ref.kind}\0${h.namespace}\0${ref.name}`;
        let list = this.hpaIndex.get(key);
        if (!list) this.hpaIndex.set(key, (list = []));
        list.push(h);
      }
    }
    return this.hpaIndex.get(`${w.kind}\0${w.namespace}\0${w.name}`) ?? [];
  }

  /** The object an HPA scales, when it is in the input. */
  hpaTarget(hpa: KubeObject): KubeObject | undefined {
    const ref = asRecord(asRecord(hpa.raw.spec)?.scaleTargetRef);
    if (typeof ref?.kind !== 'string' || typeof ref?.name !== 'string') return undefined;
    return this.find(ref.kind, hpa.namespace, ref.name);
  }

  /** NetworkPolicies whose podSelector picks the workload's pods (an empty podSelector picks all). */
  networkPoliciesFor(w: KubeObject): KubeObject[] {
    return this.memo('netpolFor', w, () => {
      const t = podTemplate(w);
      if (!t) return [];
      return this.inNamespace(w.namespace, 'NetworkPolicy').filter((np) => {
        const sel = asRecord(np.raw.spec)?.podSelector as LabelSelector | undefined;
        return sel === undefined || isEmptySelector(sel) || matchesSelector(sel, t.labels);
      });
    });
  }

  /** Workloads a NetworkPolicy applies to. */
  networkPolicyTargets(np: KubeObject): KubeObject[] {
    return this.memo('netpolTargets', np, () => {
      const sel = asRecord(np.raw.spec)?.podSelector as LabelSelector | undefined;
      return this.workloadsIn(np.namespace, (l) => sel === undefined || isEmptySelector(sel) || matchesSelector(sel, l));
    });
  }

  private labelIndex: Map<string, Map<string, KubeObject[]>> | undefined;

  /**
   * Workloads in the namespace whose pod labels include every pair of `labels` (none for an empty
   * map). Served from a label index built on first use, so a selector costs the size of its
   * smallest label bucket, not a scan of the namespace.
   */
  workloadsWithLabels(namespace: string, labels: Record<string, string>): KubeObject[] {
    const pairs = Object.entries(labels);
    if (!pairs.length) return [];
    if (!this.labelIndex) {
      this.labelIndex = new Map();
      for (const w of this.workloads) {
        let ns = this.labelIndex.get(w.namespace);
        if (!ns) this.labelIndex.set(w.namespace, (ns = new Map()));
        for (const [k, v] of Object.entries(podTemplate(w)!.labels)) {
          const key = `${k}\0${v}`;
          let list = ns.get(key);
          if (!list) ns.set(key, (list = []));
          list.push(w);
        }
      }
    }
    const ns = this.labelIndex.get(namespace);
    if (!ns) return [];
    let smallest: KubeObject[] | undefined;
    for (const [k, v] of pairs) {
      const list = ns.get(`${k}\0${String(v)}`);
      if (!list) return [];
      if (!smallest || list.length < smallest.length) smallest = list;
    }
    return smallest!.filter((w) => matchesLabels(labels, podTemplate(w)!.labels));
  }

  /** Backends of an Ingress as Service names with the path of each reference (v1 and v1beta1 shapes). */
  ingressBackends(ing: KubeObject): Array<{ service: string; path: string }> {
    const spec = asRecord(ing.raw.spec);
    const out: Array<{ service: string; path: string }> = [];
    const add = (b: unknown, path: string) => {
      const r = asRecord(b);
      const name = asRecord(r?.service)?.name ?? r?.serviceName;
      if (typeof name === 'string') out.push({ service: name, path });
    };
    add(spec?.defaultBackend ?? spec?.backend, spec?.defaultBackend ? 'spec.defaultBackend' : 'spec.backend');
    (Array.isArray(spec?.rules) ? spec.rules : []).forEach((rule: unknown, i: number) => {
      const paths = asRecord(asRecord(rule)?.http)?.paths;
      if (Array.isArray(paths)) paths.forEach((p: unknown, j: number) => add(asRecord(p)?.backend, `spec.rules[${i}].http.paths[${j}].backend`));
    });
    return out;
  }
}
