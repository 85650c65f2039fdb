// One ingress layer behind one load balancer (L20, L26): ingress-nginx (or Traefik, or Kong) as
// the controller, with either an ALB in front (an Ingress of class alb: HTTPS with the spec's ACM
// certificate, HTTP→HTTPS redirect, health check accepting 200 and 404, external-dns hostnames) or
// an NLB (the controller's Service, TLS terminated at the NLB when a certificate is given).
import type { ResolvedCluster } from '../../../model/types.js';
import type { AddonModule } from '../catalog-types.js';
import { PRIORITY, resources, spread, SYSTEM_NODES } from '../context.js';
import { type K8sObject, MANAGED_BY } from '../objects.js';

type Ingress = Exclude<ResolvedCluster['addons']['ingress'], false>;
export const INGRESS_NAMESPACE = 'ingress';

/** Release, chart and the Service the load balancer targets (names pinned with fullnameOverride). */
const CONTROLLERS = {
  nginx: { release: 'ingress-nginx', chart: 'ingress-nginx', service: 'ingress-nginx-controller', port: 80 },
  traefik: { release: 'traefik', chart: 'traefik', service: 'traefik', port: 80 },
  kong: { release: 'kong', chart: 'kong', service: 'kong-proxy', port: 80 },
} as const;

const ing = (m: ResolvedCluster) => m.addons.ingress as Ingress;

/** NLB annotations for the controller's Service when no ALB sits in front. */
function nlbAnnotations(i: Ingress): Record<string, string> {
  return {
    'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
    'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
    'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing',
    // TLS ends at the NLB on 443; the controllers' Services name that port differently, so name the number.
    ...(i.certificateArn ? { 'service.beta.kubernetes.io/aws-load-balancer-ssl-cert': i.certificateArn, 'service.beta.kubernetes.io/aws-load-balancer-ssl-ports': '443' } : {}),
    ...(i.hosts.length ? { 'external-dns.alpha.kubernetes.io/hostname': i.hosts.join(',') } : {}),
  };
}

function controllerValues(i: Ingress): Record<string, unknown> {
  const behindAlb = i.loadBalancer === 'alb';
  const service = behindAlb ? { type: 'ClusterIP' } : { type: 'LoadBalancer', annotations: nlbAnnotations(i) };
  const placement = { ...SYSTEM_NODES, priorityClassName: PRIORITY.critical, resources: resources('100m', '256Mi', '512Mi') };
  switch (i.controller) {
    case 'nginx':
      return {
        fullnameOverride: 'ingress-nginx',
        controller: {
          replicaCount: 2,
          minAvailable: 1,
          ...placement,
          topologySpreadConstraints: spread({ 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' }),
          ingressClassResource: { name: 'nginx', default: true },
          // Behind the ALB, trust its X-Forwarded-* headers (a client's own would reach an NLB unchanged).
          ...(behindAlb ? { config: { 'use-forwarded-headers': 'true', 'compute-full-forwarded-for': 'true' } } : {}),
          service: !behindAlb && i.certificateArn ? { ...service, targetPorts: { http: 'http', https: 'http' } } : service,
          metrics: { enabled: true },
        },
      };
    case 'traefik':
      return {
        fullnameOverride: 'traefik',
        deployment: { replicas: 2 },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        ...placement,
        ingressClass: { enabled: true, isDefaultClass: true },
        service,
        // Decrypted at the NLB: 443 goes to the plain-HTTP entry point.
        ...(!behindAlb && i.certificateArn ? { ports: { websecure: { targetPort: 'web' } } } : {}),
      };
    default:
      return {
        fullnameOverride: 'kong',
        replicaCount: 2,
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        ...placement,
        ingressController: { enabled: true, ingressClass: 'kong', resources: resources('50m', '128Mi', '256Mi') },
        // Decrypted at the NLB: 443 goes to the plain-HTTP proxy port.
        proxy: !behindAlb && i.certificateArn ? { ...service, tls: { overrideServiceTargetPort: 8000 } } : service,
      };
  }
}

/** The ALB in front of the controller: an Ingress the load balancer controller turns into one ALB. */
export function albIngress(m: ResolvedCluster): K8sObject {
  const i = ing(m);
  const c = CONTROLLERS[i.controller];
  const tls = Boolean(i.certificateArn);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: 'edge',
      namespace: INGRESS_NAMESPACE,
      labels: { ...MANAGED_BY },
      annotations: {
        'alb.ingress.kubernetes.io/scheme': 'internet-facing',
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/listen-ports': tls ? '[{"HTTP":80},{"HTTPS":443}]' : '[{"HTTP":80}]',
        ...(tls ? { 'alb.ingress.kubernetes.io/certificate-arn': i.certificateArn!, 'alb.ingress.kubernetes.io/ssl-redirect': '443', 'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06' } : {}),
        // The controller answers 404 on / when no route matches: that is healthy (L26).
        'alb.ingress.kubernetes.io/healthcheck-path': '/',
        'alb.ingress.kubernetes.io/success-codes': '200,404',
        ...(i.hosts.length ? { 'external-dns.alpha.kubernetes.io/hostname': i.hosts.join(',') } : {}),
        // The backend Service comes from the controller's HelmRelease, which an audit of the tree cannot see.
        'kuberator.dev/ignore': `workload/ingress-backend-missing: the ${c.service} Service is created by the ${i.controller} HelmRelease`,
      },
    },
    spec: {
      ingressClassName: 'alb',
      defaultBackend: { service: { name: c.service, port: { number: c.port } } },
    },
  };
}

function controllerModule(controller: Ingress['controller']): AddonModule {
  const c = CONTROLLERS[controller];
  return {
    name: c.release,
    chart: c.chart,
    namespace: INGRESS_NAMESPACE,
    enabled: (m) => m.addons.ingress !== false && m.addons.ingress.controller === controller,
    dependsOn: (m) => (m.addons.loadBalancerController ? ['aws-load-balancer-controller'] : []),
    values: ({ model: m }) => controllerValues(ing(m)),
    configs: ({ model: m }) => (ing(m).loadBalancer === 'alb' ? [albIngress(m)] : []),
  };
}

export const ingressNginx = controllerModule('nginx');
export const traefik = controllerModule('traefik');
export const kong = controllerModule('kong');
