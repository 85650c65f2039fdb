// The add-ons stack, deployed after the node groups: the managed add-ons that run Deployments and
// stay degraded until nodes exist (CoreDNS, the EBS CSI driver), pinned to system nodes (L09,
// L25), and one least-privilege Pod Identity role per add-on that calls AWS (L21): cluster
// autoscaler scoped to this cluster's groups, external-dns to its domain, the load balancer
// controller to the resources it tags, fluent-bit to its log group, EBS CSI to volumes.
import { ROLE_LABEL } from '../../model/defaults.js';
import { SERVICE_ACCOUNTS } from '../service-accounts.js';
import type { Stack } from './cdk.js';
import { EXPORTS } from './names.js';
import { clusterAutoscalerPolicy, externalDnsDomainPolicy, externalDnsPolicy, isHostedZoneId, fluentBitCloudWatchPolicy, loadBalancerControllerPolicy, MANAGED_POLICIES, podIdentityTrustPolicy } from './policies.js';
import { type BuildContext, managedPolicy, importValue, resourceTags } from './stack.js';

/** Where cluster add-ons run: system nodes, tolerating their taint (L09). */
export const SYSTEM_PLACEMENT = {
  nodeSelector: { [ROLE_LABEL]: 'system' },
  tolerations: [{ key: 'CriticalAddonsOnly', operator: 'Exists' }],
};

export function buildAddonsStack(ctx: BuildContext, stack: Stack): void {
  const { cdk, model: m } = ctx;
  const { eks, iam } = cdk;
  const clusterName = importValue(ctx, EXPORTS.clusterName);
  const versions = m.addonVersions;
  const a = m.addons;

  const podRole = (id: string, description: string, sa: { namespace: string; name: string }, policy: { inline?: object; managed?: string[] }) => {
    const role = new iam.CfnRole(stack, `${id}Role`, {
      description: `${description} (${m.name})`,
      assumeRolePolicyDocument: podIdentityTrustPolicy(),
      ...(policy.managed ? { managedPolicyArns: policy.managed } : {}),
      ...(policy.inline ? { policies: [{ policyName: id, policyDocument: policy.inline }] } : {}),
      tags: resourceTags(m, `${m.name}-${sa.name}`),
    });
    new eks.CfnPodIdentityAssociation(stack, `${id}PodIdentity`, { clusterName, namespace: sa.namespace, serviceAccount: sa.name, roleArn: role.attrArn });
    return role;
  };

  const coredns: Record<string, unknown> = {
    ...SYSTEM_PLACEMENT,
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway', labelSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }],
  };
  // With DNS autoscaling the proportional autoscaler owns the replica count (L15).
  if (!(a.dns && a.dns.autoscale)) coredns.replicaCount = ctx.capacity.dns.recommendedCorednsReplicas;
  new eks.CfnAddon(stack, 'CorednsAddon', {
    clusterName,
    addonName: 'coredns',
    ...(versions.coredns ? { addonVersion: versions.coredns.version } : {}),
    resolveConflicts: 'OVERWRITE',
    configurationValues: JSON.stringify(coredns),
  });

  if (a.ebsCsi) {
    const ebsPin = versions['aws-ebs-csi-driver'];
    const role = new iam.CfnRole(stack, 'EbsCsiRole', {
      description: `EBS CSI controller: creates and attaches volumes (${m.name})`,
      assumeRolePolicyDocument: podIdentityTrustPolicy(),
      managedPolicyArns: [managedPolicy(ctx, MANAGED_POLICIES.ebsCsi)],
      tags: resourceTags(m, `${m.name}-ebs-csi`),
    });
    new eks.CfnAddon(stack, 'EbsCsiAddon', {
      clusterName,
      addonName: 'aws-ebs-csi-driver',
      // Only a pin is rendered: the table's entry is an upstream tag, not an EKS build, so without
      // a pin EKS picks its default build for the cluster's version.
      ...(ebsPin?.pinned ? { addonVersion: ebsPin.version } : {}),
      resolveConflicts: 'OVERWRITE',
      configurationValues: JSON.stringify({ controller: SYSTEM_PLACEMENT, node: { tolerateAllTaints: true } }),
      podIdentityAssociations: [{ serviceAccount: SERVICE_ACCOUNTS.ebsCsiController.name, roleArn: role.attrArn }],
    });
  }

  if (a.clusterAutoscaler) podRole('ClusterAutoscaler', 'cluster-autoscaler: resizes this cluster’s node groups', SERVICE_ACCOUNTS.clusterAutoscaler, { inline: clusterAutoscalerPolicy(m.name) });
  if (a.loadBalancerController) podRole('LoadBalancerController', 'AWS Load Balancer Controller: load balancers it tags', SERVICE_ACCOUNTS.loadBalancerController, { inline: loadBalancerControllerPolicy(m.name) });
  if (a.externalDns && a.externalDns.hostedZone) {
    const zone = a.externalDns.hostedZone;
    const inline = isHostedZoneId(zone) ? externalDnsPolicy(zone) : externalDnsDomainPolicy(zone);
    podRole('ExternalDns', `external-dns: records in ${zone}`, SERVICE_ACCOUNTS.externalDns, { inline });
  }
  if (a.logging && a.logging.fluentBit.output === 'cloudwatch') {
    podRole('FluentBit', 'fluent-bit: container logs to CloudWatch Logs', SERVICE_ACCOUNTS.fluentBit, { inline: fluentBitCloudWatchPolicy(importValue(ctx, EXPORTS.containerLogGroupArn)) });
  }
}

