// Workloads from Kubernetes manifests: replicas, per-pod requests and the node role each selects.
// Pure: takes file texts (multi-document YAML or JSON, `kind: List` included) and returns data;
// the CLI reads the files. Malformed documents become issues with their position.
import { LineCounter, parseAllDocuments } from 'yaml';
import type { SpecIssue } from '../errors.js';
import { ROLE_LABEL } from '../model/defaults.js';
import { millicores, mib } from '../util/quantity.js';

export interface Workload {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'ReplicaSet' | 'Pod';
  namespace: string;
  name: string;
  file: string;
  /** Pods it runs at once (DaemonSets: per node). */
  replicas: number;
  /** Requests of one pod: its containers summed (init containers taken at their peak). */
  cpuMillicores: number;
  memoryMiB: number;
  /** The node role it selects through nodeSelector or required node affinity; undefined when none. */
  role?: string;
}

const KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job', 'CronJob', 'ReplicaSet', 'Pod']);

interface Container {
  resources?: { requests?: Record<string, string | number> };
}
interface PodSpec {
  containers?: Container[];
  initContainers?: Container[];
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }> } } };
}

function podSpecOf(kind: string, obj: Record<string, unknown>): PodSpec | undefined {
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (!spec) return undefined;
  if (kind === 'Pod') return spec as PodSpec;
  if (kind === 'CronJob') return ((spec.jobTemplate as { spec?: { template?: { spec?: PodSpec } } })?.spec?.template?.spec) ?? undefined;
  return (spec.template as { spec?: PodSpec } | undefined)?.spec;
}

function requests(cs: Container[] | undefined): { cpu: number; mem: number } {
  let cpu = 0;
  let mem = 0;
  for (const c of cs ?? []) {
    const r = c.resources?.requests ?? {};
    cpu += r.cpu !== undefined ? (millicores(r.cpu) ?? 0) : 0;
    mem += r.memory !== undefined ? (mib(r.memory) ?? 0) : 0;
  }
  return { cpu, mem };
}

function roleOf(p: PodSpec): string | undefined {
  const direct = p.nodeSelector?.[ROLE_LABEL];
  if (direct) return direct;
  for (const term of p.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) if (e.key === ROLE_LABEL && e.operator === 'In' && e.values?.length) return e.values[0];
  }
  return undefined;
}

export interface LoadBalancerService {
  namespace: string;
  name: string;
  file: string;
}

export interface ParsedWorkloads {
  workloads: Workload[];
  /** Services of type LoadBalancer: each gets a load balancer of its own (L20). */
  loadBalancerServices: LoadBalancerService[];
  issues: SpecIssue[];
}

export function parseWorkloads(files: Array<{ file: string; text: string }>): ParsedWorkloads {
  const workloads: Workload[] = [];
  const loadBalancerServices: LoadBalancerService[] = [];
  const issues: SpecIssue[] = [];
  for (const { file, text } of files) {
    const lc = new LineCounter();
    for (const doc of parseAllDocuments(text, { lineCounter: lc })) {
      if (doc.errors.length) {
        const e = doc.errors[0]!;
        issues.push({ path: '(yaml)', message: e.message.split('\n')[0]!, location: { file, ...lc.linePos(e.pos[0]) } });
        continue;
      }
      const value = doc.toJS({ maxAliasCount: 100 }) as Record<string, unknown> | null;
      const items = value && value.kind === 'List' && Array.isArray(value.items) ? (value.items as Record<string, unknown>[]) : value ? [value] : [];
      for (const obj of items) {
        const kind = String(obj.kind ?? '');
        const meta = (obj.metadata ?? {}) as { name?: string; namespace?: string };
        if (kind === 'Service' && (obj.spec as { type?: string } | undefined)?.type === 'LoadBalancer') {
          loadBalancerServices.push({ namespace: meta.namespace ?? 'default', name: meta.name ?? '?', file });
        }
        if (!KINDS.has(kind)) continue;
        const p = podSpecOf(kind, obj);
        if (!p) {
          issues.push({ path: `${kind}/${meta.name ?? '?'}`, message: 'has no pod template', location: { file, ...lc.linePos(doc.range[0]) } });
          continue;
        }
        const main = requests(p.containers);
        const init = (p.initContainers ?? []).map((c) => requests([c]));
        const spec = obj.spec as { replicas?: number; parallelism?: number; jobTemplate?: { spec?: { parallelism?: number } } };
        const replicas = kind === 'Deployment' || kind === 'StatefulSet' || kind === 'ReplicaSet' ? (spec.replicas ?? 1) : kind === 'Job' ? (spec.parallelism ?? 1) : kind === 'CronJob' ? (spec.jobTemplate?.spec?.parallelism ?? 1) : 1;
        const role = roleOf(p);
        workloads.push({
          kind: kind as Workload['kind'],
          namespace: meta.namespace ?? 'default',
          name: meta.name ?? '?',
          file,
          replicas,
          cpuMillicores: Math.max(main.cpu, ...init.map((i) => i.cpu)),
          memoryMiB: Math.max(main.mem, ...init.map((i) => i.mem)),
          ...(role ? { role } : {}),
        });
      }
    }
  }
  return { workloads, loadBalancerServices, issues };
}
