// Team namespaces (L27, L29, L20): per team, its namespaces; the team's group (named by its EKS
// access entry) bound to `edit`; a quota; and LimitRange defaults so pods without requests get sane
// ones, with memory limits above requests. A quota of zero LoadBalancer Services sends every team
// through the one ingress layer.
import type { ResolvedCluster } from '../../model/types.js';
import { type K8sObject, MANAGED_BY, namespace } from './objects.js';

export function teamGroup(team: string): string {
  return `team-${team}`;
}

export function teamObjects(team: ResolvedCluster['access']['teams'][number]): K8sObject[] {
  const out: K8sObject[] = [];
  for (const ns of team.namespaces) {
    const meta = (name: string) => ({ name, namespace: ns, labels: { ...MANAGED_BY, 'kuberator.dev/team': team.name } });
    out.push(namespace(ns, { 'kuberator.dev/team': team.name, 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }));
    out.push({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(`${team.name}-edit`),
      subjects: [{ kind: 'Group', name: teamGroup(team.name), apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'ClusterRole', name: 'edit', apiGroup: 'rbac.authorization.k8s.io' },
    });
    out.push({
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('team-quota'),
      spec: { hard: { 'requests.cpu': '16', 'requests.memory': '32Gi', 'limits.memory': '64Gi', pods: '200', 'services.loadbalancers': '0', persistentvolumeclaims: '20' } },
    });
    out.push({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('team-defaults'),
      spec: { limits: [{ type: 'Container', defaultRequest: { cpu: '100m', memory: '128Mi' }, default: { memory: '256Mi' }, max: { memory: '16Gi' } }] },
    });
  }
  return out;
}
