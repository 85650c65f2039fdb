// external-secrets (L24): Secrets synchronised from Vault through a ClusterSecretStore that
// authenticates with the operator's Kubernetes service account, so no Vault token sits in git.
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, SYSTEM_NODES } from '../context.js';
import { type K8sObject, MANAGED_BY } from '../objects.js';

export const EXTERNAL_SECRETS_NAMESPACE = 'external-secrets';

export const externalSecrets: AddonModule = {
  name: 'external-secrets',
  chart: 'external-secrets',
  namespace: EXTERNAL_SECRETS_NAMESPACE,
  enabled: (m) => m.addons.externalSecrets !== false,
  values: () => {
    const placement = { ...SYSTEM_NODES, priorityClassName: PRIORITY.standard };
    return {
      installCRDs: true,
      // Two replicas, one active: without leader election both would reconcile the same secrets.
      replicaCount: 2,
      leaderElect: true,
      podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
      ...placement,
      resources: resources('50m', '128Mi', '256Mi'),
      webhook: { replicaCount: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 }, ...placement, resources: resources('20m', '64Mi', '128Mi') },
      certController: { ...placement, resources: resources('20m', '64Mi', '128Mi') },
    };
  },
  configs: ({ model: m }): K8sObject[] => {
    const vault = m.addons.externalSecrets && m.addons.externalSecrets.vault;
    if (!vault) return [];
    return [
      {
        apiVersion: 'external-secrets.io/v1',
        kind: 'ClusterSecretStore',
        metadata: { name: 'vault', labels: { ...MANAGED_BY } },
        spec: {
          provider: {
            vault: {
              server: vault.server,
              path: vault.path,
              version: 'v2',
              auth: { kubernetes: { mountPath: `kubernetes-${m.name}`, role: 'external-secrets', serviceAccountRef: { name: 'external-secrets', namespace: EXTERNAL_SECRETS_NAMESPACE } } },
            },
          },
        },
      },
    ];
  },
};
