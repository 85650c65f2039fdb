// Cluster-wide objects the add-ons stand on: namespaces (with Pod Security labels), storage
// classes (gp3 default, io2 for sustained IO; WaitForFirstConsumer so volumes follow pods' zones,
// L07, L10) and the platform's priority classes.
import type { ResolvedCluster } from '../../model/types.js';
import type { AddonModule } from './catalog-types.js';
import { PRIORITY } from './context.js';
import { type K8sObject, MANAGED_BY, namespace } from './objects.js';

/** Namespaces whose add-ons need host access (node exporter, log collection). */
const PRIVILEGED = new Set(['monitoring', 'logging']);

export function platformNamespaces(modules: ReadonlyArray<Pick<AddonModule, 'namespace'>>): K8sObject[] {
  const names = [...new Set(modules.map((a) => a.namespace))].filter((n) => n !== 'kube-system').sort();
  return names.map((n) => namespace(n, { 'pod-security.kubernetes.io/enforce': PRIVILEGED.has(n) ? 'privileged' : 'baseline', 'pod-security.kubernetes.io/warn': 'restricted' }));
}

export function storageClasses(m: ResolvedCluster): K8sObject[] {
  if (!m.addons.ebsCsi) return [];
  const def = m.addons.ebsCsi.defaultStorageClass;
  const sc = (name: string, parameters: Record<string, string>): K8sObject => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, labels: { ...MANAGED_BY }, annotations: { 'storageclass.kubernetes.io/is-default-class': String(name === def) } },
    provisioner: 'ebs.csi.aws.com',
    parameters: { ...parameters, encrypted: 'true' },
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: true,
    volumeBindingMode: 'WaitForFirstConsumer',
  });
  return [sc('gp3', { type: 'gp3' }), sc('io2', { type: 'io2', iopsPerGB: '50' })];
}

export function priorityClasses(): K8sObject[] {
  const pc = (name: string, value: number, description: string): K8sObject => ({
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name, labels: { ...MANAGED_BY } },
    value,
    globalDefault: false,
    preemptionPolicy: 'PreemptLowerPriority',
    description,
  });
  return [
    pc(PRIORITY.critical, 900_000_000, 'Platform add-ons the cluster cannot serve traffic without (ingress).'),
    pc(PRIORITY.standard, 100_000, 'Platform add-ons: monitoring, logging, dashboards; above applications, below critical add-ons.'),
  ];
}
