// Service accounts of add-ons that call AWS, shared by the CloudFormation side (Pod Identity
// associations) and the Kubernetes side (the manifests that create them).
export const SERVICE_ACCOUNTS = {
  clusterAutoscaler: { namespace: 'kube-system', name: 'cluster-autoscaler' },
  externalDns: { namespace: 'kube-system', name: 'external-dns' },
  loadBalancerController: { namespace: 'kube-system', name: 'aws-load-balancer-controller' },
  ebsCsiController: { namespace: 'kube-system', name: 'ebs-csi-controller-sa' },
  fluentBit: { namespace: 'logging', name: 'fluent-bit' },
} as const;
