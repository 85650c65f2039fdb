// API versions the target Kubernetes release no longer serves, or soon will not (L38). The table
// is data/deprecated-apis.json (Pluto's and kubent's lists). Only Kubernetes' own APIs are judged:
// cert-manager, Istio and external-snapshotter version their APIs by their own releases, which an
// audit cannot see. Live objects carry the version the server returned them under in apiVersion.
import { type DeprecatedApi, deprecatedApis } from '../../facts/index.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';

let table: Map<string, DeprecatedApi> | undefined;
let kinds: Set<string> | undefined;

function index(): Map<string, DeprecatedApi> {
  if (!table) {
    table = new Map();
    kinds = new Set();
    for (const a of deprecatedApis()) {
      if (a.component !== 'k8s' || !a.kind) continue;
      table.set(`${a.apiVersion}\0${a.kind}`, a);
      kinds.add(a.kind);
    }
  }
  return table;
}

function tableKinds(): Set<string> {
  index();
  return kinds!;
}

function entryFor(o: KubeObject): DeprecatedApi | undefined {
  return index().get(`${o.apiVersion}\0${o.kind}`);
}

/** Compares minor versions numerically (`1.9` < `1.16`); a leading `v` and a patch are ignored. */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 2; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d) return d;
  }
  return 0;
}

const isRemoved = (a: DeprecatedApi, target: string) => a.removedIn !== null && compareVersions(a.removedIn, target) <= 0;
const isDeprecated = (a: DeprecatedApi, target: string) => a.deprecatedIn !== null && compareVersions(a.deprecatedIn, target) <= 0 && !isRemoved(a, target);

function instead(a: DeprecatedApi): string {
  return a.replacement ? `use ${a.replacement}` : 'it has no direct replacement';
}

const appliesTo = (o: KubeObject) => tableKinds().has(o.kind);

export const apiVersionRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/removed-api',
    severity: 'error',
    lessons: ['L38'],
    equivalents: ['kube-score:stable-version', 'kube-linter:no-extensions-v1beta'],
    title: 'API version removed in the target Kubernetes version',
    why: 'The API server of the target release does not serve this group/version at all: applying the manifest fails, and an upgrade strands objects that were never migrated.',
    fix: 'Move the object to the replacement apiVersion (adjusting the fields that changed) before upgrading, and re-apply it so the stored version changes too.',
    appliesTo,
    check: (o, _g, ctx): ObjectRawFinding[] => {
      const a = entryFor(o);
      if (!a || !isRemoved(a, ctx.kubernetesVersion)) return [];
      return [{ path: 'apiVersion', message: `${o.apiVersion} ${o.kind} was removed in Kubernetes ${a.removedIn} (target ${ctx.kubernetesVersion}); ${instead(a)}` }];
    },
  },
  {
    scope: 'workload',
    id: 'workload/deprecated-api',
    severity: 'warning',
    lessons: ['L38'],
    equivalents: ['kube-score:stable-version'],
    title: 'API version deprecated in the target Kubernetes version',
    why: 'A deprecated group/version still works but is scheduled for removal; every manifest left on it becomes a failed apply on the upgrade that removes it.',
    fix: 'Move the object to the replacement apiVersion now, while both versions are served.',
    appliesTo,
    check: (o, _g, ctx): ObjectRawFinding[] => {
      const a = entryFor(o);
      if (!a || !isDeprecated(a, ctx.kubernetesVersion)) return [];
      const removal = a.removedIn ? `, to be removed in ${a.removedIn}` : '';
      return [{ path: 'apiVersion', message: `${o.apiVersion} ${o.kind} is deprecated since Kubernetes ${a.deprecatedIn}${removal} (target ${ctx.kubernetesVersion}); ${instead(a)}` }];
    },
  },
];
