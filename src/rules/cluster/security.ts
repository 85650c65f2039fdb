// Secure by default, and what the spec turns off (L16, L17, L21).
import type { ClusterRule } from '../types.js';
import { groupPath } from './paths.js';

const WORLD = '0.0.0.0/0';

export const securityRules: ClusterRule[] = [
  {
    id: 'security/public-nodes',
    severity: 'warning',
    lessons: ['L21', 'L02'],
    equivalents: ['hardeneks:deploy_workers_onto_private_subnets'],
    title: 'Nodes in public subnets',
    why: 'Nodes with public addresses are one security-group mistake away from the internet, and topology is hard to change later.',
    fix: 'Set spec.network.topology to private (NAT per zone and SSM access are the defaults).',
    check: (m) => (m.network.topology === 'public' ? [{ path: 'spec.network.topology', message: 'nodes get public addresses' }] : []),
  },
  {
    id: 'security/endpoint-open',
    severity: 'warning',
    lessons: ['L21'],
    equivalents: ['hardeneks:check_endpoint_public_access'],
    title: 'Kubernetes API open to the whole internet',
    why: 'A public endpoint open to 0.0.0.0/0 exposes the API server to credential stuffing and to every future authentication bug.',
    fix: 'List your office and CI ranges in spec.controlPlane.endpoint.publicCidrs, or set endpoint.public to false.',
    check: (m) =>
      m.controlPlane.endpoint.public && m.controlPlane.endpoint.publicCidrs.includes(WORLD)
        ? [{ path: 'spec.controlPlane.endpoint.publicCidrs', severity: m.production ? 'warning' : 'info', message: 'the public API endpoint accepts 0.0.0.0/0' }]
        : [],
  },
  {
    id: 'security/secrets-unencrypted',
    severity: 'error',
    lessons: ['L21'],
    equivalents: [],
    title: 'Secrets not envelope-encrypted',
    why: 'Without KMS envelope encryption, Secrets sit in etcd protected only by the disk encryption of the control plane.',
    fix: 'Set spec.controlPlane.secretsEncryption to true (kuberator creates a KMS key with rotation).',
    check: (m) =>
      m.controlPlane.secretsEncryption ? [] : [{ path: 'spec.controlPlane.secretsEncryption', severity: m.production ? 'error' : 'warning', message: 'secrets encryption is off' }],
  },
  {
    id: 'security/volume-unencrypted',
    severity: 'error',
    lessons: ['L21'],
    equivalents: ['hardeneks:use_encryption_with_ebs'],
    title: 'Unencrypted node volumes',
    why: 'Node volumes hold container layers, emptyDir data and logs; unencrypted ones fail most compliance baselines and leak through snapshots.',
    fix: 'Remove volume.encrypted: false (encryption is the default and costs nothing).',
    check: (m) => m.nodeGroups.filter((g) => !g.volume.encrypted).map((g) => ({ path: groupPath(g, 'volume.encrypted'), message: `node group '${g.name}' has unencrypted volumes` })),
  },
  {
    id: 'security/bastion-open',
    severity: 'error',
    lessons: ['L21', 'L03'],
    equivalents: [],
    title: 'Bastion reachable from anywhere',
    why: 'An SSH bastion open to 0.0.0.0/0 is scanned within minutes and is the front door to every private node.',
    fix: 'Limit spec.network.bastion.allowedCidrs to known ranges, or use access: ssm.',
    check: (m) => {
      const cidrs = m.network.bastion?.allowedCidrs ?? [];
      const i = cidrs.indexOf(WORLD);
      return i >= 0 ? [{ path: `spec.network.bastion.allowedCidrs[${i}]`, message: 'the bastion accepts SSH from 0.0.0.0/0' }] : [];
    },
  },
  {
    id: 'security/control-plane-logging',
    severity: 'error',
    lessons: ['L16'],
    equivalents: ['hardeneks:check_logs_are_enabled'],
    title: 'Control-plane logs off or without audit',
    why: 'Without api, audit and authenticator logs there is no record of who changed what, and no way to investigate an incident or a throttling storm.',
    fix: 'Set spec.controlPlane.logging to include api, audit and authenticator.',
    check: (m) => {
      const logs = m.controlPlane.logging;
      if (logs.length === 0) return [{ path: 'spec.controlPlane.logging', severity: m.production ? 'error' : 'warning', message: 'control-plane logging is off' }];
      const missing = (['api', 'audit', 'authenticator'] as const).filter((t) => !logs.includes(t));
      return missing.length ? [{ path: 'spec.controlPlane.logging', severity: 'warning', message: `control-plane logging lacks ${missing.join(', ')}` }] : [];
    },
  },
  {
    id: 'security/shared-account',
    severity: 'warning',
    lessons: ['L17'],
    equivalents: [],
    title: 'Cluster in a shared AWS account',
    why: 'The control plane, autoscaler and controllers share the account’s API rate limits; another team’s scripts can throttle them into failing.',
    fix: 'Run production clusters in an account of their own (spec.account.shared: false).',
    check: (m) => (m.account.shared ? [{ path: 'spec.account.shared', severity: m.production ? 'warning' : 'info', message: 'the cluster shares its AWS account and its API quotas' }] : []),
  },
];
