// NodeLocal DNSCache (L15), when asked: a caching DNS agent on every node, so lookups stay on the
// node and conntrack races on the CoreDNS service stop dropping queries. It intercepts the
// kube-dns service address (the service range's .10 on EKS) on a link-local address.
import { formatCidr, parseCidr } from '../../../util/cidr.js';
import type { AddonModule } from '../catalog-types.js';
import { EVERY_NODE_TOLERATIONS, resources } from '../context.js';

export const LINK_LOCAL_DNS = '169.254.20.10';

/** The kube-dns ClusterIP EKS assigns: the tenth address of the service range. */
export function kubeDnsAddress(serviceCidr: string): string {
  const c = parseCidr(serviceCidr)!;
  return formatCidr({ base: c.base + 10, prefix: 32 }).replace(/\/32$/, '');
}

export const nodeLocalDns: AddonModule = {
  name: 'node-local-dns',
  chart: 'node-local-dns',
  namespace: 'kube-system',
  enabled: (m) => m.addons.dns !== false && m.addons.dns.nodeLocalCache,
  values: ({ model: m }) => ({
    config: { localDns: LINK_LOCAL_DNS, dnsServer: kubeDnsAddress(m.network.serviceCidr), dnsDomain: 'cluster.local' },
    tolerations: EVERY_NODE_TOLERATIONS,
    // The chart sets priorityClassName system-node-critical itself.
    resources: resources('25m', '32Mi', '64Mi'),
  }),
};
