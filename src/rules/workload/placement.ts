// Where and how many (L33, L34): enough replicas, spread over nodes and zones, autoscalers that
// keep a floor, and app workloads on app nodes, off the system nodes the add-ons live on.
import { asRecord, type LabelSelector, matchesSelector, type ObjectGraph, type PodTemplate, podTemplate, SCALABLE } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';
import { at, hasPods, ROLE_LABEL, SYSTEM_TAINT_KEY } from './common.js';

/** How many pods a scalable workload runs: its replicas, or the HPA that scales it. */
export type Scale =
  | { by: 'replicas'; replicas: number; /** False when spec.replicas is unset (1, unless something outside the input scales it). */ explicit: boolean }
  | { by: 'hpa'; hpa: KubeObject; min: number; max: number | undefined };

/** The scale of a scalable workload; undefined for other kinds (DaemonSets, Jobs, Pods). */
export function scaleOf(o: KubeObject, g: ObjectGraph): Scale | undefined {
  if (!SCALABLE.has(o.kind)) return undefined;
  const hpa = g.hpasFor(o)[0];
  if (hpa) return { by: 'hpa', hpa, ...hpaBounds(hpa) };
  const r = asRecord(o.raw.spec)?.replicas;
  return typeof r === 'number' ? { by: 'replicas', replicas: r, explicit: true } : { by: 'replicas', replicas: 1, explicit: false };
}

/** An HPA's floor (1 when unset, as the API server defaults it) and ceiling. */
export function hpaBounds(hpa: KubeObject): { min: number; max: number | undefined } {
  const spec = asRecord(hpa.raw.spec);
  return { min: typeof spec?.minReplicas === 'number' ? spec.minReplicas : 1, max: typeof spec?.maxReplicas === 'number' ? spec.maxReplicas : undefined };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const isScalableWorkload = (o: KubeObject) => SCALABLE.has(o.kind) && hasPods(o);
const isHpa = (o: KubeObject) => o.kind === 'HorizontalPodAutoscaler';

// ---- spread ----

const HOST_KEY = 'kubernetes.io/hostname';
const ZONE_KEYS = new Set(['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone']);

interface SpreadTerm {
  topologyKey: string | undefined;
  selector: LabelSelector | undefined;
  path: string;
}

function spreadTerms(t: PodTemplate): SpreadTerm[] {
  const out: SpreadTerm[] = [];
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
  list(t.spec.topologySpreadConstraints).forEach((c, i) => {
    const r = asRecord(c);
    out.push({ topologyKey: r?.topologyKey as string | undefined, selector: r?.labelSelector as LabelSelector | undefined, path: at(t.path, `topologySpreadConstraints[${i}]`) });
  });
  const anti = asRecord(asRecord(t.spec.affinity)?.podAntiAffinity);
  list(anti?.requiredDuringSchedulingIgnoredDuringExecution).forEach((c, i) => {
    const r = asRecord(c);
    out.push({ topologyKey: r?.topologyKey as string | undefined, selector: r?.labelSelector as LabelSelector | undefined, path: at(t.path, `affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[${i}]`) });
  });
  list(anti?.preferredDuringSchedulingIgnoredDuringExecution).forEach((c, i) => {
    const r = asRecord(asRecord(c)?.podAffinityTerm);
    out.push({ topologyKey: r?.topologyKey as string | undefined, selector: r?.labelSelector as LabelSelector | undefined, path: at(t.path, `affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`) });
  });
  return out;
}

/** Which failure domains the pods are spread over; terms that select other pods do not count. */
function spreadOf(t: PodTemplate): { nodes: boolean; zones: boolean; foreign: SpreadTerm[]; terms: number } {
  const terms = spreadTerms(t);
  let nodes = false;
  let zones = false;
  const foreign: SpreadTerm[] = [];
  for (const term of terms) {
    if (!matchesSelector(term.selector, t.labels)) {
      foreign.push(term);
      continue;
    }
    if (term.topologyKey === HOST_KEY) nodes = true;
    else if (term.topologyKey !== undefined && ZONE_KEYS.has(term.topologyKey)) zones = true;
  }
  return { nodes, zones, foreign, terms: terms.length };
}

function describeScale(s: Scale): string {
  if (s.by === 'hpa') return `is scaled by HorizontalPodAutoscaler '${s.hpa.name}' (${s.min}–${s.max ?? '?'} replicas)`;
  return `runs ${plural(s.replicas, 'replica')}`;
}

function spreadCheck(o: KubeObject, g: ObjectGraph): ObjectRawFinding[] {
  const t = podTemplate(o);
  const s = scaleOf(o, g);
  if (!t || !s) return [];
  const spread = spreadOf(t);
  const who = `${o.kind} '${o.name}'`;
  if (s.by === 'replicas' && !s.explicit) {
    // Scale unknown: replicas unset and no HPA in the input. Only a pod spec with no spread at all is worth a note.
    if (spread.terms > 0) return [];
    return [{ path: t.path, severity: 'info', message: `${who} sets no replicas and no pod anti-affinity or topology spread: if something outside the input scales it up, all its pods may share one node` }];
  }
  const replicated = s.by === 'hpa' ? (s.max ?? 2) > 1 : s.replicas > 1;
  if (!replicated || (spread.nodes && spread.zones)) return [];
  const foreign = spread.foreign.length ? `; ${spread.foreign[0]!.path} selects other pods (its labelSelector does not match this pod template), so it does not spread these` : '';
  if (!spread.nodes && !spread.zones) {
    return [{ path: spread.foreign[0]?.path ?? t.path, message: `${who} ${describeScale(s)} but spreads them over neither nodes nor zones: the scheduler may pack every replica onto one node, where one drain, spot reclaim or node failure takes them all${foreign}` }];
  }
  const missing = spread.nodes ? `zones (${[...ZONE_KEYS][0]})` : `nodes (${HOST_KEY})`;
  const effect = spread.nodes ? 'a zone outage can take every replica at once' : 'several replicas may share a node and go down with it';
  return [{ path: t.path, severity: 'info', message: `${who} ${describeScale(s)} and spreads them over ${spread.nodes ? 'nodes' : 'zones'} but not ${missing}: ${effect}${foreign}` }];
}

// ---- node roles ----

/** Whether the pods are held to node roles (nodeSelector, or every required node-affinity term on ROLE_LABEL), or only prefer one. */
function roleSelection(t: PodTemplate): { held: boolean; preferredOnly: boolean } {
  const ns = asRecord(t.spec.nodeSelector);
  if (ns?.[ROLE_LABEL] !== undefined && ns[ROLE_LABEL] !== null) return { held: true, preferredOnly: false };
  const na = asRecord(asRecord(t.spec.affinity)?.nodeAffinity);
  const terms = asRecord(na?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms;
  // Terms are ORed: one term that leaves the role open lets the pods onto any node.
  const constrains = (term: unknown) => {
    const exprs = asRecord(term)?.matchExpressions;
    return Array.isArray(exprs) && exprs.some((e) => asRecord(e)?.key === ROLE_LABEL && (asRecord(e)?.operator === 'In' || asRecord(e)?.operator === 'NotIn'));
  };
  if (Array.isArray(terms) && terms.length && terms.every(constrains)) return { held: true, preferredOnly: false };
  const preferred = na?.preferredDuringSchedulingIgnoredDuringExecution;
  const prefersRole =
    Array.isArray(preferred) &&
    preferred.some((p) => {
      const exprs = asRecord(asRecord(p)?.preference)?.matchExpressions;
      return Array.isArray(exprs) && exprs.some((e) => asRecord(e)?.key === ROLE_LABEL);
    });
  return { held: false, preferredOnly: prefersRole };
}

/** Roles the pods require, each with where it is written: the nodeSelector value, or every In expression on the role label. */
function requiredRoles(t: PodTemplate): Array<{ values: string[]; path: string }> {
  const out: Array<{ values: string[]; path: string }> = [];
  const ns = asRecord(t.spec.nodeSelector);
  if (ns?.[ROLE_LABEL] !== undefined && ns[ROLE_LABEL] !== null) out.push({ values: [String(ns[ROLE_LABEL])], path: at(t.path, `nodeSelector["${ROLE_LABEL}"]`) });
  const terms = asRecord(asRecord(asRecord(t.spec.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms;
  if (Array.isArray(terms)) {
    terms.forEach((term, i) => {
      const exprs = asRecord(term)?.matchExpressions;
      if (!Array.isArray(exprs)) return;
      exprs.forEach((e, j) => {
        const r = asRecord(e);
        if (r?.key === ROLE_LABEL && r.operator === 'In' && Array.isArray(r.values)) out.push({ values: r.values.map(String), path: at(t.path, `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}].matchExpressions[${j}]`) });
      });
    });
  }
  return out;
}

/** Where the pods select the system role (nodeSelector, or an In expression of a required node-affinity term). */
function namesSystemRole(t: PodTemplate): string | undefined {
  const ns = asRecord(t.spec.nodeSelector);
  if (ns?.[ROLE_LABEL] !== undefined && String(ns[ROLE_LABEL]) === 'system') return at(t.path, `nodeSelector["${ROLE_LABEL}"]`);
  const terms = asRecord(asRecord(asRecord(t.spec.affinity)?.nodeAffinity)?.requiredDuringSchedulingIgnoredDuringExecution)?.nodeSelectorTerms;
  if (!Array.isArray(terms)) return undefined;
  for (let i = 0; i < terms.length; i++) {
    const exprs = asRecord(terms[i])?.matchExpressions;
    if (!Array.isArray(exprs)) continue;
    for (let j = 0; j < exprs.length; j++) {
      const e = asRecord(exprs[j]);
      if (e?.key === ROLE_LABEL && e.operator === 'In' && Array.isArray(e.values) && e.values.map(String).includes('system')) {
        return at(t.path, `affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[${i}].matchExpressions[${j}]`);
      }
    }
  }
  return undefined;
}

/** The first toleration that lets the pods onto tainted system nodes (CriticalAddonsOnly=true:NoSchedule), with why. */
function systemToleration(t: PodTemplate): { path: string; what: string } | undefined {
  const list = t.spec.tolerations;
  if (!Array.isArray(list)) return undefined;
  for (let i = 0; i < list.length; i++) {
    const tol = asRecord(list[i]);
    if (!tol) continue;
    const effectOk = tol.effect === undefined || tol.effect === null || tol.effect === '' || tol.effect === 'NoSchedule';
    if (!effectOk) continue;
    const op = tol.operator ?? 'Equal';
    const key = tol.key ?? '';
    if (key === '' && op === 'Exists') return { path: at(t.path, `tolerations[${i}]`), what: 'tolerates every taint (operator Exists without a key), system nodes’ included' };
    if (key === SYSTEM_TAINT_KEY && (op === 'Exists' || String(tol.value ?? '') === 'true')) return { path: at(t.path, `tolerations[${i}]`), what: `tolerates the ${SYSTEM_TAINT_KEY} taint that keeps applications off system nodes` };
  }
  return undefined;
}

const notDaemonSet = (o: KubeObject) => hasPods(o) && o.kind !== 'DaemonSet';

export const placementRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/replicas',
    severity: 'warning',
    lessons: ['L33'],
    equivalents: ['polaris:deploymentMissingReplicas', 'kube-score:deployment-replicas', 'kube-linter:minimum-three-replicas', 'eksup:K8S002', 'hardeneks:run_multiple_replicas'],
    title: 'Too few replicas',
    why: 'A single replica is an outage waiting for its node: every drain, upgrade, spot reclaim or crash takes the service down until a new pod starts somewhere else.',
    fix: 'Run at least two replicas (spec.replicas, or minReplicas of the HPA that scales the workload), spread over nodes and zones.',
    appliesTo: isScalableWorkload,
    check: (o, g, ctx) => {
      const s = scaleOf(o, g);
      const min = ctx.thresholds.minReplicas;
      if (!s) return [];
      const who = `${o.kind} '${o.name}'`;
      if (s.by === 'hpa') {
        // An HPA floor below 2 is workload/hpa-min-replicas' finding, on the HPA; here only a floor below a stricter threshold.
        if (s.min < 2 || s.min >= min) return [];
        return [{ path: 'spec', message: `${who} is scaled by HorizontalPodAutoscaler '${s.hpa.name}' down to ${plural(s.min, 'replica')}, fewer than the ${min} this audit requires` }];
      }
      if (s.replicas === 0 || s.replicas >= min) return [];
      if (!s.explicit) return [{ path: 'spec', message: `${who} sets no replicas and no HorizontalPodAutoscaler in the input scales it, so it runs 1 pod: any drain, spot reclaim or crash is an outage (at least ${min} required)` }];
      return [{ path: 'spec.replicas', message: `${who} runs ${plural(s.replicas, 'replica')}, fewer than ${min}: a drain, spot reclaim or crash ${s.replicas === 1 ? 'is an outage' : 'leaves no room for another failure'}` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/spread',
    severity: 'warning',
    lessons: ['L33'],
    equivalents: [
      'polaris:topologySpreadConstraint',
      'kube-score:deployment-has-host-podantiaffinity',
      'kube-score:statefulset-has-host-podantiaffinity',
      'kube-linter:no-anti-affinity',
      'eksup:K8S005',
      'hardeneks:schedule_replicas_across_nodes',
    ],
    title: 'Replicas not spread over nodes and zones',
    why: 'Replicas the scheduler is free to pack together fail together: a node drain, spot reclaim or zone outage takes them all, however many there are.',
    fix: 'Add topologySpreadConstraints on kubernetes.io/hostname and topology.kubernetes.io/zone (maxSkew 1, whenUnsatisfiable ScheduleAnyway for zones), with a labelSelector matching the pods’ own labels; preferred pod anti-affinity on the hostname also works for nodes.',
    appliesTo: isScalableWorkload,
    check: spreadCheck,
  },
  {
    scope: 'workload',
    id: 'workload/hpa-min-replicas',
    severity: 'warning',
    lessons: ['L33'],
    equivalents: ['polaris:hpaMinAvailability', 'kube-score:horizontalpodautoscaler-replicas', 'kube-linter:hpa-minimum-three-replicas'],
    title: 'HorizontalPodAutoscaler that scales down to one pod',
    why: 'At quiet hours the autoscaler shrinks the workload to its floor; with a floor of one, the next drain or crash is an outage, exactly when nobody is watching.',
    fix: 'Set spec.minReplicas to 2 or more.',
    appliesTo: isHpa,
    check: (o) => {
      const spec = asRecord(o.raw.spec);
      const set = typeof spec?.minReplicas === 'number';
      const { min } = hpaBounds(o);
      if (min >= 2) return [];
      if (min === 0) return [{ path: 'spec.minReplicas', severity: 'info', message: `HorizontalPodAutoscaler '${o.name}' scales to zero: the first request after an idle spell waits for a pod to start` }];
      return [{ path: set ? 'spec.minReplicas' : 'spec', message: `HorizontalPodAutoscaler '${o.name}' ${set ? 'has minReplicas 1' : 'sets no minReplicas, so it defaults to 1'}: at its floor one pod serves everything, and a drain or crash is an outage` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/hpa-fixed',
    severity: 'info',
    lessons: ['L33'],
    equivalents: ['polaris:hpaMaxAvailability'],
    title: 'HorizontalPodAutoscaler with minReplicas equal to maxReplicas',
    why: 'An autoscaler whose floor equals its ceiling never scales; it only hides a fixed replica count and keeps the workload from absorbing a surge.',
    fix: 'Raise spec.maxReplicas above spec.minReplicas, or drop the HPA and set replicas on the workload.',
    appliesTo: isHpa,
    check: (o) => {
      const { min, max } = hpaBounds(o);
      if (max === undefined || min !== max) return [];
      return [{ path: 'spec.maxReplicas', message: `HorizontalPodAutoscaler '${o.name}' has minReplicas = maxReplicas = ${max}: it can never scale` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/hpa-target-missing',
    severity: 'warning',
    lessons: [],
    equivalents: ['kube-score:horizontalpodautoscaler-has-target', 'kube-linter:dangling-horizontalpodautoscaler'],
    title: 'HorizontalPodAutoscaler whose target is not in the input',
    why: 'An autoscaler pointing at a workload that does not exist (a renamed Deployment, a wrong kind) scales nothing, and the workload it was meant for runs at a fixed size.',
    fix: 'Point spec.scaleTargetRef at the workload’s kind and name in the same namespace, or audit the HPA together with the manifests of its target.',
    appliesTo: isHpa,
    check: (o, g) => {
      if (g.hpaTarget(o)) return [];
      const ref = asRecord(asRecord(o.raw.spec)?.scaleTargetRef);
      if (typeof ref?.kind !== 'string' || typeof ref.name !== 'string') return [{ path: 'spec.scaleTargetRef', message: `HorizontalPodAutoscaler '${o.name}' has no complete scaleTargetRef (kind and name)` }];
      return [{ path: 'spec.scaleTargetRef', message: `HorizontalPodAutoscaler '${o.name}' scales ${ref.kind} '${ref.name}', which is not in the input (namespace ${o.namespace})` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/replicas-with-hpa',
    severity: 'warning',
    lessons: ['L33'],
    equivalents: ['kube-score:deployment-targeted-by-hpa-does-not-have-replicas-configured'],
    title: 'Workload sets replicas while an HPA scales it',
    why: 'When an autoscaler owns the scale, spec.replicas in the manifest fights it: every apply or GitOps sync resets the running count to the manifest’s number until the HPA catches up, which can halve capacity mid-surge.',
    fix: 'Remove spec.replicas from the manifest and let the HPA’s minReplicas set the floor.',
    // Judged on manifests only: a live object always has spec.replicas, filled in by the API server.
    appliesTo: (o, g) => o.source !== undefined && isScalableWorkload(o) && g.hpasFor(o).length > 0,
    check: (o, g) => {
      const r = asRecord(o.raw.spec)?.replicas;
      if (r === undefined || r === null) return [];
      const hpa = g.hpasFor(o)[0]!;
      return [{ path: 'spec.replicas', message: `${o.kind} '${o.name}' sets replicas: ${String(r)} while HorizontalPodAutoscaler '${hpa.name}' scales it: every apply resets the scale to ${String(r)}` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/no-node-role',
    severity: 'info',
    lessons: ['L34', 'L09'],
    equivalents: ['kube-linter:no-node-affinity'],
    title: 'Application workload that selects no node role',
    why: 'kuberator labels every node group with its role; a workload that selects none may land on stateful or system-adjacent nodes, and capacity planning per role no longer holds.',
    fix: `Select the role the workload belongs on: nodeSelector ${ROLE_LABEL}: app (or stateful for StatefulSets with volumes).`,
    appliesTo: notDaemonSet,
    check: (o, _g, ctx) => {
      if (ctx.systemNamespaces.includes(o.namespace)) return [];
      const t = podTemplate(o);
      if (!t) return [];
      const sel = roleSelection(t);
      if (sel.held) return [];
      const hint = sel.preferredOnly ? ' (it only prefers a role, which the scheduler may ignore when that role is full)' : '';
      return [{ path: t.path, message: `${o.kind} '${o.name}' selects no node role (${ROLE_LABEL}) through nodeSelector or required node affinity${hint}: it may run on any node group` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/node-role-missing',
    severity: 'warning',
    lessons: ['L34'],
    equivalents: [],
    title: 'Workload selects a node role the cluster does not have',
    why: 'Pods that require a node role no node group carries never schedule: they stay Pending, and the cluster autoscaler cannot help because no group could ever fit them. Only an audit that knows the cluster (--spec) can see this.',
    fix: 'Select a role the cluster has, or add a node group with that role to the cluster spec.',
    appliesTo: (o) => podTemplate(o) !== undefined,
    check: (o, _g, ctx) => {
      const cluster = ctx.cluster;
      const t = podTemplate(o);
      if (!cluster || !t) return [];
      const have = new Set(cluster.nodeGroups.map((g) => g.role as string));
      return requiredRoles(t)
        .filter((r) => !r.values.some((v) => have.has(v)))
        .map((r) => ({ path: r.path, message: `${o.kind} '${o.name}' requires node role ${r.values.join(' or ')}, which no node group of cluster '${cluster.name}' has (roles: ${[...have].sort().join(', ')}): its pods stay Pending` }));
    },
  },
  {
    scope: 'workload',
    id: 'workload/app-on-system-nodes',
    severity: 'warning',
    lessons: ['L34', 'L09'],
    equivalents: [],
    title: 'Application workload allowed onto system nodes',
    why: 'System nodes are sized for the add-ons that keep the cluster alive (DNS, autoscaler, ingress); an application scheduled there competes with them for CPU and memory, and its spikes become cluster-wide outages.',
    fix: `Select ${ROLE_LABEL}: app for application workloads and drop tolerations for ${SYSTEM_TAINT_KEY} (or operator Exists without a key); if the workload is a platform add-on, list its namespace in systemNamespaces of .kuberator.yaml.`,
    appliesTo: notDaemonSet,
    check: (o, _g, ctx) => {
      if (ctx.systemNamespaces.includes(o.namespace)) return [];
      const t = podTemplate(o);
      if (!t) return [];
      const out: ObjectRawFinding[] = [];
      const who = `${o.kind} '${o.name}' (namespace ${o.namespace}, not a system namespace)`;
      const selected = namesSystemRole(t);
      if (selected) out.push({ path: selected, message: `${who} selects node role system: it runs beside the cluster’s add-ons` });
      const tol = systemToleration(t);
      if (tol) out.push({ path: tol.path, message: `${who} ${tol.what}: the scheduler may place it on system nodes` });
      return out;
    },
  },
];
