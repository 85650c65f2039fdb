// Kubernetes versions (L25, L39, L40): support windows on EKS judged against the planning date,
// managed add-on versions pinned in the spec against the cluster's minor, and node groups held
// back against the skew policy.
import { eksControlPlanePrice } from '../../cost/prices.js';
import { addonVersions, CORE_ADDONS, type CoreAddon, observedAddonVersions } from '../../facts/index.js';
import type { ResolvedCluster, ResolvedNodeGroup } from '../../model/types.js';
import { compareAddonVersions, maxSkew, minorOf, parseAddonVersion, upstreamOf } from '../../model/versions.js';
import { pathToString } from '../../util/path.js';
import type { ClusterRule, RawFinding } from '../types.js';
import { HOURS_PER_MONTH, usd } from './paths.js';

const SOON_DAYS = 120;

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export const versionRules: ClusterRule[] = [
  {
    id: 'version/support',
    severity: 'error',
    lessons: ['L39', 'L25'],
    equivalents: ['hardeneks:check_eks_version'],
    title: 'Kubernetes version out of (or near the end of) standard support',
    why: 'After standard support EKS bills the control plane at the extended-support rate; after extended support it upgrades the cluster by force. Upgrades are one minor at a time, so falling behind compounds.',
    fix: 'Plan the upgrade one minor at a time (kuberator upgrade plan), starting before the support date.',
    check: (m, { today }) => {
      const v = m.version;
      const path = 'spec.kubernetesVersion';
      if (v.eksReleaseDate && today < v.eksReleaseDate) return [{ path, message: `EKS releases Kubernetes ${v.version} on ${v.eksReleaseDate}, after the planning date ${today}` }];
      if (v.endOfExtendedSupport && today > v.endOfExtendedSupport) {
        return [{ path, message: `Kubernetes ${v.version} left extended support on ${v.endOfExtendedSupport}; EKS upgrades such clusters automatically` }];
      }
      if (v.endOfStandardSupport && today > v.endOfStandardSupport && !v.endOfExtendedSupport) {
        return [{ path, message: `Kubernetes ${v.version} left support on ${v.endOfStandardSupport} and had no extended support` }];
      }
      if (v.endOfStandardSupport && today > v.endOfStandardSupport) {
        const ext = eksControlPlanePrice(m.region, true);
        const std = eksControlPlanePrice(m.region, false);
        const cost = ext && std ? `: the control plane costs ${usd(ext.usd * HOURS_PER_MONTH)}/month instead of ${usd(std.usd * HOURS_PER_MONTH)}` : '';
        return [{ path, severity: 'warning', message: `Kubernetes ${v.version} left standard support on ${v.endOfStandardSupport} and is in extended support until ${v.endOfExtendedSupport}${cost}` }];
      }
      if (v.endOfStandardSupport && daysBetween(today, v.endOfStandardSupport) <= SOON_DAYS) {
        return [{ path, severity: 'info', message: `standard support for Kubernetes ${v.version} ends on ${v.endOfStandardSupport}, in ${daysBetween(today, v.endOfStandardSupport)} days` }];
      }
      return [];
    },
  },
  {
    id: 'version/addon-version-mismatch',
    severity: 'error',
    lessons: ['L25', 'L39'],
    equivalents: ['eksup:EKS005', 'eksup:K8S011'],
    title: 'Pinned managed add-on version does not suit the cluster’s minor',
    why: 'kube-proxy, CoreDNS and the VPC CNI are built for a Kubernetes minor. A pin stays where it was written while spec.kubernetesVersion moves, so after an upgrade the cluster runs add-ons for another minor: a kube-proxy newer than the API server, or too far behind it, breaks Service routing on the nodes.',
    fix: 'Set each pin in spec.addons.versions to the version for the cluster’s minor (or remove it to follow kuberator’s table); `kuberator upgrade plan --write` moves existing pins with the cluster.',
    check: (m) => CORE_ADDONS.flatMap((a) => addonVersionFindings(m, a)),
  },
  {
    id: 'version/node-skew',
    severity: 'error',
    lessons: ['L39', 'L40'],
    equivalents: ['eksup:K8S001'],
    title: 'Node group held behind the control plane',
    why: 'Kubelets may trail the API server by three minors from Kubernetes 1.28 on (two before), never more. A group held back for an upgrade has to be rolled before the control plane moves beyond that, or its nodes stop being a supported pairing.',
    fix: 'Roll the group to the cluster’s minor (remove its kubernetesVersion, or set it to spec.kubernetesVersion) and replace its nodes, system groups first.',
    check: (m) => m.nodeGroups.filter((g) => g.kubernetesVersionPinned).flatMap((g) => nodeSkewFindings(m, g)),
  },
];

const minors = (n: number) => `${n} minor${n === 1 ? '' : 's'}`;

/** One finding at most per pinned add-on: kube-proxy of another minor, then unknown, then older than the table. */
function addonVersionFindings(m: ResolvedCluster, a: CoreAddon): RawFinding[] {
  const pin = m.addonVersions[a];
  // An add-on that is not installed (EBS CSI switched off) has nothing to judge.
  if (!pin?.pinned || (a === 'aws-ebs-csi-driver' && m.addons.ebsCsi === false)) return [];
  const path = pathToString(['spec', 'addons', 'versions', a]);
  const v = pin.version;
  const cluster = m.kubernetesVersion;
  if (a === 'kube-proxy') {
    const parsed = parseAddonVersion(v);
    const behind = parsed ? minorOf(cluster) - parsed.minor : 0;
    const built = parsed ? `1.${parsed.minor}` : cluster;
    if (behind < 0) return [{ path, message: `kube-proxy ${v} is built for Kubernetes ${built}, newer than the control plane (${cluster}); kube-proxy must never be newer than the API server` }];
    if (behind > maxSkew(cluster)) {
      return [{ path, message: `kube-proxy ${v} is built for Kubernetes ${built}, ${minors(behind)} behind the control plane (${cluster}); the skew policy allows ${maxSkew(cluster)}` }];
    }
    if (behind > 0) {
      const want = addonVersions(cluster)?.['kube-proxy'];
      return [{ path, severity: 'warning', message: `kube-proxy ${v} is built for Kubernetes ${built}, ${minors(behind)} behind the control plane (${cluster}): allowed by the skew policy, but kube-proxy belongs to the cluster's minor${want ? ` (${want})` : ''}` }];
    }
  }
  const table = addonVersions(cluster)?.[a];
  const observed = observedAddonVersions(cluster)?.[a];
  // No row for the minor: nothing to compare with.
  if (!table || !observed) return [];
  const known = new Set([...observed, table]);
  if (!known.has(v) && !known.has(upstreamOf(v))) {
    return [{ path, severity: 'warning', message: `${a} ${v} is not a version kuberator's data lists for Kubernetes ${cluster} (its table has ${table}); check it with aws eks describe-addon-versions --kubernetes-version ${cluster} --addon-name ${a}` }];
  }
  if (compareAddonVersions(v, table) < 0) {
    return [{ path, severity: 'info', message: `${a} is pinned at ${v}, older than ${table}, the version for Kubernetes ${cluster}; \`kuberator upgrade plan ${m.source.file} --to ${cluster} --write\` moves the pin` }];
  }
  return [];
}

/** The control-plane minor a group at `v` can no longer follow: the first one beyond the skew policy. */
function firstOutOfSkew(v: number): number {
  let t = v + 1;
  while (t - v <= maxSkew(`1.${t}`)) t++;
  return t;
}

function nodeSkewFindings(m: ResolvedCluster, g: ResolvedNodeGroup): RawFinding[] {
  const path = `${g.path}.kubernetesVersion`;
  const cluster = m.kubernetesVersion;
  const behind = minorOf(cluster) - minorOf(g.kubernetesVersion);
  if (behind <= 0) return [];
  const who = `node group '${g.name}' is held at Kubernetes ${g.kubernetesVersion}, ${minors(behind)} behind the control plane (${cluster})`;
  if (behind > maxSkew(cluster)) return [{ path, message: `${who}, beyond the ${maxSkew(cluster)} the skew policy allows: roll it to ${cluster} before any other change` }];
  const limit = firstOutOfSkew(minorOf(g.kubernetesVersion));
  const when = limit === minorOf(cluster) + 1 ? `the next upgrade (to 1.${limit}) needs it rolled first` : `it must be rolled before the control plane reaches 1.${limit}`;
  return [{ path, severity: 'info', message: `${who}, within the skew policy (n-${maxSkew(cluster)}); ${when}` }];
}
