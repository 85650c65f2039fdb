// The add-on catalogue: every module, listed explicitly, in the order releases are written.
import { clusterAutoscaler } from './addons/cluster-autoscaler.js';
import { dashboard } from './addons/dashboard.js';
import { descheduler } from './addons/descheduler.js';
import { dnsAutoscaler } from './addons/dns.js';
import { externalDns } from './addons/external-dns.js';
import { externalSecrets } from './addons/external-secrets.js';
import { fluentBit } from './addons/fluent-bit.js';
import { ingressNginx, kong, traefik } from './addons/ingress.js';
import { loadBalancerController } from './addons/load-balancer-controller.js';
import { metricsServer } from './addons/metrics-server.js';
import { monitoring, prometheusAdapter } from './addons/monitoring.js';
import { nodeLocalDns } from './addons/node-local-dns.js';
import { spotHandler } from './addons/spot-handler.js';
import { discoveryBridge } from './addons/discovery-bridge.js';
import type { AddonModule, ManifestModule } from './catalog-types.js';

export const CATALOG: readonly AddonModule[] = [
  metricsServer,
  clusterAutoscaler,
  dnsAutoscaler,
  nodeLocalDns,
  loadBalancerController,
  ingressNginx,
  traefik,
  kong,
  externalDns,
  monitoring,
  prometheusAdapter,
  fluentBit,
  descheduler,
  externalSecrets,
  dashboard,
];

/** Add-ons from kuberator's own image, rendered as plain objects after the Helm releases. */
export const MANIFEST_CATALOG: readonly ManifestModule[] = [spotHandler, discoveryBridge];
