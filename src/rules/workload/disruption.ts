// PodDisruptionBudgets (L32, L40): replicated workloads need one, and it must let at least one pod
// go, or every node drain (cluster upgrades, spot interruptions, consolidation) waits forever.
import { asRecord, type ObjectGraph, SCALABLE } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';
import { hasPods } from './common.js';
import { scaleOf } from './placement.js';

/** An int-or-percent field: a count, a percentage, or unset/unreadable. */
type IntOrPercent = { n: number } | { pct: number } | undefined;

function intOrPercent(v: unknown): IntOrPercent {
  if (typeof v === 'number' && Number.isFinite(v)) return { n: v };
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  const pct = /^(\d+(?:\.\d+)?)%$/.exec(s);
  if (pct) return { pct: Number(pct[1]) };
  return /^\d+$/.test(s) ? { n: Number(s) } : undefined;
}

const show = (v: IntOrPercent) => (v === undefined ? '?' : 'pct' in v ? `${v.pct}%` : String(v.n));

/** Pods that must stay up out of `pods`: percentages round up, as the disruption controller does. */
function desiredHealthy(min: IntOrPercent, pods: number): number {
  if (!min) return 0;
  return 'pct' in min ? Math.ceil((min.pct * pods) / 100) : min.n;
}

const isV1beta1 = (o: KubeObject) => o.apiVersion.endsWith('/v1beta1');

/** A PDB that states a policy. Under policy/v1beta1 the API server defaults minAvailable to 1; under policy/v1 a PDB without either field constrains nothing. */
function hasPolicy(pdb: KubeObject): boolean {
  const spec = asRecord(pdb.raw.spec);
  return isV1beta1(pdb) || (spec?.minAvailable !== undefined && spec.minAvailable !== null) || (spec?.maxUnavailable !== undefined && spec.maxUnavailable !== null);
}

/** Pods the covered workloads run: a range when an HPA scales one of them; undefined when any count is unknown. */
function podsCovered(targets: readonly KubeObject[], g: ObjectGraph): { lo: number; hi: number; hpa: boolean; label: string } | undefined {
  let lo = 0;
  let hi = 0;
  let hpa = false;
  const parts: string[] = [];
  for (const w of targets) {
    if (w.kind === 'Pod') {
      lo += 1;
      hi += 1;
      parts.push(`Pod '${w.name}'`);
      continue;
    }
    const s = scaleOf(w, g);
    if (!s) return undefined; // DaemonSets, Jobs: the pod count depends on the cluster
    if (s.by === 'replicas') {
      if (!s.explicit) return undefined; // replicas unset: something outside the input may scale it
      lo += s.replicas;
      hi += s.replicas;
      parts.push(`${w.kind} '${w.name}' (${s.replicas} ${s.replicas === 1 ? 'replica' : 'replicas'})`);
    } else {
      hpa = true;
      lo += s.min;
      hi += s.max ?? s.min;
      parts.push(`${w.kind} '${w.name}' (HorizontalPodAutoscaler '${s.hpa.name}', ${s.min}–${s.max ?? '?'} replicas)`);
    }
  }
  if (!parts.length) return undefined;
  const label = parts.length > 3 ? `${parts.slice(0, 3).join(', ')} and ${parts.length - 3} more` : parts.join(', ');
  return { lo, hi, hpa, label };
}

/** Whether the workload runs, or may run, more than one pod: what makes a PDB worth having. */
function replication(o: KubeObject, g: ObjectGraph): 'replicated' | 'unknown' | undefined {
  if (!SCALABLE.has(o.kind) || !hasPods(o)) return undefined;
  const s = scaleOf(o, g);
  if (!s) return undefined;
  if (s.by === 'hpa') return s.min >= 2 ? 'replicated' : undefined;
  if (!s.explicit) return 'unknown';
  return s.replicas >= 2 ? 'replicated' : undefined;
}

const stall = 'node drains (cluster upgrades, spot interruptions, consolidation) wait on it forever';

function blocksDrain(o: KubeObject, g: ObjectGraph): ObjectRawFinding[] {
  const spec = asRecord(o.raw.spec) ?? {};
  const who = `PodDisruptionBudget '${o.name}'`;
  const maxSet = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  const minSet = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const out: ObjectRawFinding[] = [];
  const targets = g.pdbTargets(o);
  const covered = targets.length ? podsCovered(targets, g) : undefined;
  const covers = covered ? ` (covers ${covered.label})` : targets.length ? ` (covers ${targets.map((t) => `${t.kind} '${t.name}'`).slice(0, 3).join(', ')})` : '';

  if (maxSet) {
    const max = intOrPercent(spec.maxUnavailable);
    if (max && ('pct' in max ? max.pct === 0 : max.n === 0)) out.push({ path: 'spec.maxUnavailable', message: `${who} sets maxUnavailable ${show(max)}: no covered pod may ever be evicted, so ${stall}${covers}` });
  }

  if (!minSet && !maxSet && !isV1beta1(o)) {
    out.push({
      path: 'spec',
      severity: 'warning',
      message: `${who} sets neither minAvailable nor maxUnavailable: under policy/v1 it allows every covered pod to be evicted at once, so it protects nothing while looking like protection${covers}`,
    });
    return out;
  }

  // minAvailable, or the v1beta1 default of 1 when neither field is set.
  const min = minSet ? intOrPercent(spec.minAvailable) : maxSet ? undefined : ({ n: 1 } as IntOrPercent);
  const field = minSet ? 'spec.minAvailable' : 'spec';
  const said = minSet ? `minAvailable ${show(min)}` : 'no policy (policy/v1beta1 defaults it to minAvailable 1)';
  if (min && 'pct' in min && min.pct >= 100) {
    out.push({ path: field, message: `${who} sets ${said}: every covered pod must stay up, so none may ever be evicted and ${stall}${covers}` });
  } else if (min && covered && covered.hi > 0) {
    const atHi = covered.hi - desiredHealthy(min, covered.hi);
    const atLo = covered.lo - desiredHealthy(min, covered.lo);
    if (atHi <= 0) {
      out.push({ path: field, message: `${who} sets ${said}, but the pods it covers number ${covered.hpa ? `at most ${covered.hi}` : covered.hi}: ${covered.label}; no pod may ever be evicted, so ${stall}` });
    } else if (atLo <= 0) {
      out.push({
        path: field,
        severity: 'warning',
        message: `${who} sets ${said}, which the pods it covers only exceed when scaled above ${covered.lo}: ${covered.label}; whenever the autoscaler sits at its floor (quiet hours, when maintenance runs) no pod may be evicted and drains stall`,
      });
    }
  }
  return out;
}

const isPdb = (o: KubeObject) => o.kind === 'PodDisruptionBudget';

function minorOf(version: string): number {
  return Number(/^\d+\.(\d+)/.exec(version)?.[1] ?? 0);
}

export const disruptionRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/pdb-missing',
    severity: 'warning',
    lessons: ['L32'],
    equivalents: ['polaris:missingPodDisruptionBudget', 'kube-score:deployment-has-poddisruptionbudget', 'kube-score:statefulset-has-poddisruptionbudget', 'eksup:K8S004'],
    title: 'Replicated workload without a PodDisruptionBudget',
    why: 'Without a PodDisruptionBudget a node drain evicts every replica on the node at once, and an upgrade rolling through the nodes can take all replicas down together; the budget makes drains wait until replacements are ready.',
    fix: 'Add a policy/v1 PodDisruptionBudget whose selector matches the pod labels, with maxUnavailable: 1 (or minAvailable below the replica count).',
    appliesTo: (o, g) => replication(o, g) !== undefined,
    check: (o, g) => {
      const kind = replication(o, g);
      if (!kind) return [];
      const pdbs = g.pdbsFor(o);
      if (pdbs.some(hasPolicy)) return [];
      const s = scaleOf(o, g)!;
      const who = `${o.kind} '${o.name}'`;
      const empty = pdbs.length ? `; PodDisruptionBudget '${pdbs[0]!.name}' selects its pods but sets neither minAvailable nor maxUnavailable, so it protects nothing` : '';
      if (kind === 'unknown') {
        return [{ path: 'spec', severity: 'info', message: `${who} sets no replicas and no PodDisruptionBudget covers its pods: if something outside the input (an HPA, KEDA) scales it to several pods, a drain may evict them all at once${empty}` }];
      }
      const how = s.by === 'hpa' ? `is scaled by HorizontalPodAutoscaler '${s.hpa.name}' to at least ${s.min} pods` : `runs ${s.replicas} replicas`;
      return [{ path: s.by === 'hpa' ? 'spec' : 'spec.replicas', message: `${who} ${how} and no PodDisruptionBudget covers them: a node drain may evict every replica on the node at once${empty}` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/pdb-blocks-drain',
    severity: 'error',
    lessons: ['L32', 'L40'],
    equivalents: ['polaris:pdbDisruptionsIsZero', 'polaris:pdbMinAvailableGreaterThanHPAMinReplicas', 'kube-score:poddisruptionbudget-has-policy', 'kube-linter:pdb-max-unavailable', 'kube-linter:pdb-min-available'],
    title: 'PodDisruptionBudget that never allows a disruption',
    why: 'A budget that lets no pod go (maxUnavailable 0, minAvailable 100% or at least the replica count) turns every node drain into a hang: cluster upgrades, spot interruption handling and node consolidation stop at that node until someone deletes the budget by hand.',
    fix: 'Use maxUnavailable: 1 (or a percentage), or a minAvailable below the replica count (below the HPA minReplicas when an autoscaler scales the workload).',
    appliesTo: isPdb,
    check: (o, g) => blocksDrain(o, g),
  },
  {
    scope: 'workload',
    id: 'workload/pdb-unhealthy-eviction',
    severity: 'info',
    lessons: ['L32', 'L40'],
    equivalents: ['kube-linter:pdb-unhealthy-pod-eviction-policy'],
    title: 'PodDisruptionBudget without an unhealthy-pod eviction policy',
    why: 'With the default policy a pod that never becomes ready (crash-looping, misconfigured) counts against the budget and cannot be evicted while the budget is spent, so one broken pod can stall a drain.',
    fix: 'Set spec.unhealthyPodEvictionPolicy: AlwaysAllow so pods that are not ready can always be evicted.',
    appliesTo: (o) => isPdb(o) && !isV1beta1(o),
    check: (o, _g, ctx) => {
      const spec = asRecord(o.raw.spec);
      // The field is honoured from 1.27 (beta, on by default); a PDB without a policy constrains nothing anyway.
      if (minorOf(ctx.kubernetesVersion) < 27 || !spec || !hasPolicy(o)) return [];
      if (spec.unhealthyPodEvictionPolicy !== undefined && spec.unhealthyPodEvictionPolicy !== null) return [];
      return [{ path: 'spec', message: `PodDisruptionBudget '${o.name}' sets no unhealthyPodEvictionPolicy: pods that are not ready count against it and block drains while the budget is spent` }];
    },
  },
];
