// Kubernetes version support windows on EKS, judged against the planning date (L25, L39).
import { eksControlPlanePrice } from '../../cost/prices.js';
import type { ClusterRule } from '../types.js';
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
];
