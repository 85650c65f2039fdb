// external-dns (L20): keeps Route 53 in step with Ingress and Service hostnames, in the spec's zone
// only; owns its records through TXT records marked with the cluster name, and by default only
// creates and updates (upsert-only), never deletes records it did not create.
import { isHostedZoneId } from '../../cloudformation/policies.js';
import { SERVICE_ACCOUNTS } from '../../service-accounts.js';
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';

export const externalDns: AddonModule = {
  name: 'external-dns',
  chart: 'external-dns',
  namespace: SERVICE_ACCOUNTS.externalDns.namespace,
  enabled: (m) => m.addons.externalDns !== false && Boolean(m.addons.externalDns.hostedZone),
  values: ({ model: m }) => {
    const zone = (m.addons.externalDns as { hostedZone: string }).hostedZone;
    const byId = isHostedZoneId(zone);
    return {
      provider: { name: 'aws' },
      env: [{ name: 'AWS_DEFAULT_REGION', value: m.region }],
      serviceAccount: { create: true, name: SERVICE_ACCOUNTS.externalDns.name },
      sources: ['service', 'ingress'],
      policy: 'upsert-only',
      registry: 'txt',
      txtOwnerId: m.name,
      // Registry records stay under the domain, where the IAM policy allows changes.
      txtPrefix: '_externaldns.',
      ...(byId ? { extraArgs: [`--zone-id-filter=${zone.replace(/^\/?hostedzone\//, '')}`] } : { domainFilters: [zone] }),
      ...SYSTEM_NODES,
      priorityClassName: PRIORITY.standard,
      resources: resources('50m', '64Mi', '128Mi'),
    };
  },
};
