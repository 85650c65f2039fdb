// The Kubernetes side of a resolved cluster as a GitOps tree (L24, L27), one directory per
// environment: Flux sources and Kustomizations, the add-on HelmReleases with their values, the
// platform's cluster-wide objects and configs, team namespaces, and an install script that does
// the same with helm and kubectl for teams without Flux. Pure: returns path → content.
import type { ClusterCapacity } from '../../capacity/index.js';
import type { ResolvedCluster } from '../../model/types.js';
import { lessonAlerts } from './alerts.js';
import { CATALOG, MANIFEST_CATALOG } from './catalog.js';
import type { AddonModule, ManifestModule } from './catalog-types.js';
import { type K8sContext, k8sContext, VPC_ID_VARIABLE } from './context.js';
import { type K8sObject, kustomization, MANAGED_BY, toYaml } from './objects.js';
import { platformNamespaces, priorityClasses, storageClasses } from './platform.js';
import { teamObjects } from './teams.js';

const FLUX_NS = 'flux-system';
export const CLUSTER_INFO = 'cluster-info';

export function renderKubernetes(model: ResolvedCluster, capacity: ClusterCapacity): Record<string, string> {
  const ctx = k8sContext(model, capacity);
  const modules = CATALOG.filter((a) => a.enabled(model));
  const own = MANIFEST_CATALOG.filter((a) => a.enabled(model));
  const values = new Map(modules.map((a) => [a.name, a.values(ctx)]));
  const base = `kubernetes/${model.environment}`;
  const files: Record<string, string> = {};
  const put = (rel: string, content: string) => (files[`${base}/${rel}`] = content);

  // infrastructure/controllers: what the add-ons stand on, their sources, one release each.
  const controllers: string[] = [];
  const add = (file: string, objects: K8sObject[], header: string) => {
    if (!objects.length) return;
    put(`infrastructure/controllers/${file}`, toYaml(objects, header));
    controllers.push(file);
  };
  add('namespaces.yaml', platformNamespaces([...modules, ...own]), 'Namespaces of the platform add-ons');
  add('priority-classes.yaml', priorityClasses(), 'Priority classes of the platform add-ons');
  add('storage-classes.yaml', storageClasses(model), 'EBS storage classes: encrypted, bound in the pod’s zone');
  add('sources.yaml', helmRepositories(ctx, modules), 'Helm repositories of the add-on charts');
  for (const a of modules) add(`${a.name}.yaml`, [helmRelease(ctx, a, values.get(a.name)!)], `${a.name} ${ctx.chart(a.chart).version}`);
  for (const a of own) add(`${a.name}.yaml`, a.objects(ctx), `${a.name}: kuberator's own image`);
  put('infrastructure/controllers/kustomization.yaml', kustomization(controllers));

  // infrastructure/configs: objects that need the controllers' CRDs or webhooks.
  const configs: string[] = [];
  const configObjects: Array<[string, K8sObject[]]> = [
    ['lesson-alerts.yaml', model.addons.monitoring && model.addons.monitoring.prometheus ? [lessonAlerts(model)] : []],
    ...modules.map((a) => [`${a.name}.yaml`, a.configs?.(ctx) ?? []] as [string, K8sObject[]]),
  ];
  for (const [file, objects] of configObjects) {
    if (!objects.length) continue;
    put(`infrastructure/configs/${file}`, toYaml(objects));
    configs.push(file);
  }
  put('infrastructure/configs/kustomization.yaml', kustomization(configs));

  // teams/<team>/
  const teams = model.access.teams.map((t) => t.name);
  for (const t of model.access.teams) {
    put(`teams/${t.name}/team.yaml`, toYaml(teamObjects(t), `Team ${t.name}: namespaces ${t.namespaces.join(', ')}`));
    put(`teams/${t.name}/kustomization.yaml`, kustomization(['team.yaml']));
  }
  put('teams/kustomization.yaml', kustomization(teams));

  // flux-system: the entry point Flux is bootstrapped at, when the spec names a repository.
  const flux = model.addons.gitops && model.addons.gitops.flux;
  if (flux) {
    put('flux-system/platform.yaml', toYaml(fluxObjects(model, flux), 'Flux: the repository and the order the platform is applied in'));
    put('flux-system/kustomization.yaml', kustomization(['platform.yaml']));
    put('kustomization.yaml', kustomization(['flux-system']));
  } else {
    put('kustomization.yaml', kustomization(['infrastructure/controllers', 'infrastructure/configs', 'teams']));
  }

  Object.assign(files, installScript(ctx, modules, values, base, own));
  put('README.md', readme(model, [...modules, ...own], Boolean(flux)));
  return files;
}

function helmRepositories(ctx: K8sContext, modules: readonly AddonModule[]): K8sObject[] {
  const repos = new Map<string, string>();
  for (const a of modules) {
    const c = ctx.chart(a.chart);
    repos.set(c.repository.name, c.repository.url);
  }
  return [...repos.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, url]) => ({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata: { name, namespace: FLUX_NS, labels: { ...MANAGED_BY } }, spec: { interval: '1h', url } }));
}

function helmRelease(ctx: K8sContext, a: AddonModule, values: Record<string, unknown>): K8sObject {
  const c = ctx.chart(a.chart);
  const deps = a.dependsOn?.(ctx.model) ?? [];
  const byName = new Map(CATALOG.map((x) => [x.name, x]));
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: a.name, namespace: a.namespace, labels: { ...MANAGED_BY } },
    spec: {
      interval: '30m',
      releaseName: a.name,
      chart: { spec: { chart: c.chart, version: c.version, sourceRef: { kind: 'HelmRepository', name: c.repository.name, namespace: FLUX_NS }, interval: '1h' } },
      install: { crds: 'CreateReplace', remediation: { retries: 3 } },
      upgrade: { crds: 'CreateReplace', remediation: { retries: 3, remediateLastFailure: true } },
      ...(deps.length ? { dependsOn: deps.map((d) => ({ name: d, namespace: byName.get(d)?.namespace ?? a.namespace })) } : {}),
      values,
    },
  };
}

function fluxObjects(m: ResolvedCluster, flux: { repository: string; branch: string; path: string }): K8sObject[] {
  const path = (p: string) => `./${flux.path.replace(/^\.?\//, '').replace(/\/$/, '')}/${p}`;
  const kustomization = (name: string, dir: string, dependsOn: string[], substitute: boolean): K8sObject => ({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: FLUX_NS, labels: { ...MANAGED_BY } },
    spec: {
      interval: '10m',
      retryInterval: '2m',
      timeout: '15m',
      path: path(dir),
      prune: true,
      wait: true,
      sourceRef: { kind: 'GitRepository', name: 'platform' },
      ...(dependsOn.length ? { dependsOn: dependsOn.map((name) => ({ name })) } : {}),
      // Values known only once the CloudFormation stacks exist (the new VPC's id).
      ...(substitute ? { postBuild: { substituteFrom: [{ kind: 'ConfigMap', name: CLUSTER_INFO }] } } : {}),
    },
  });
  return [
    {
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'platform', namespace: FLUX_NS, labels: { ...MANAGED_BY } },
      spec: { interval: '1m', url: flux.repository, ref: { branch: flux.branch }, secretRef: { name: FLUX_NS } },
    },
    kustomization('infrastructure-controllers', 'infrastructure/controllers', [], m.network.vpc.mode === 'new'),
    kustomization('infrastructure-configs', 'infrastructure/configs', ['infrastructure-controllers'], false),
    kustomization('teams', 'teams', ['infrastructure-configs'], false),
  ];
}

/** The same releases for teams without Flux: values files and helm/kubectl commands in order. */
function installScript(ctx: K8sContext, modules: readonly AddonModule[], valuesOf: Map<string, Record<string, unknown>>, base: string, own: readonly ManifestModule[]): Record<string, string> {
  const files: Record<string, string> = {};
  const m = ctx.model;
  const lines = [
    '#!/usr/bin/env bash',
    `# Installs the ${m.name} platform without Flux: the same charts, versions and values as the`,
    '# HelmReleases beside this script. Generated by kuberator render; run it from anywhere.',
    'set -euo pipefail',
    'cd "$(dirname "${BASH_SOURCE[0]}")"',
    ...(m.network.vpc.mode === 'new' ? [`: "\${${VPC_ID_VARIABLE}:?set ${VPC_ID_VARIABLE} to the VPC id (export ${m.name}-VpcId of the network stack)}"`] : []),
    '',
    'kubectl apply -f infrastructure/controllers/namespaces.yaml -f infrastructure/controllers/priority-classes.yaml' + (m.addons.ebsCsi ? ' -f infrastructure/controllers/storage-classes.yaml' : ''),
  ];
  const repos = new Map(modules.map((a) => [ctx.chart(a.chart).repository.name, ctx.chart(a.chart).repository.url]));
  for (const [name, url] of [...repos].sort()) lines.push(`helm repo add --force-update ${name} ${url}`);
  lines.push('helm repo update');
  for (const a of modules) {
    const c = ctx.chart(a.chart);
    // The script passes install-time values with --set; the file holds the rest.
    const sets = a.installSets?.(ctx) ?? {};
    const values = Object.fromEntries(Object.entries(valuesOf.get(a.name)!).filter(([k]) => !(k in sets)));
    files[`${base}/helm/values/${a.name}.yaml`] = toYaml([values], `Values of ${a.name} (${c.chart} ${c.version})`);
    const setArgs = Object.entries(sets).map(([k, v]) => ` --set ${k}="${v}"`).join('');
    lines.push(`helm upgrade --install ${a.name} ${c.repository.name}/${c.chart} --version ${c.version} --namespace ${a.namespace} --create-namespace -f helm/values/${a.name}.yaml${setArgs} --wait --timeout 10m`);
  }
  for (const a of own) lines.push(`kubectl apply -f infrastructure/controllers/${a.name}.yaml`);
  lines.push('kubectl apply -k infrastructure/configs', 'kubectl apply -k teams', '');
  files[`${base}/install.sh`] = lines.join('\n');
  return files;
}

function readme(m: ResolvedCluster, modules: ReadonlyArray<{ name: string; namespace: string }>, flux: boolean): string {
  return [
    `# ${m.name} platform (${m.environment})`,
    '',
    'Generated by `kuberator render`; regenerate rather than edit.',
    '',
    '| directory | what it holds |',
    '| --- | --- |',
    ...(flux ? ['| `flux-system/` | the Git source and three Flux Kustomizations applied in order: controllers, then configs, then teams |'] : []),
    '| `infrastructure/controllers/` | namespaces, priority and storage classes, Helm sources, one HelmRelease per add-on |',
    '| `infrastructure/configs/` | objects that need the add-ons first: lesson alerts, the secret store, the edge Ingress |',
    '| `teams/<team>/` | team namespaces with their role binding, quota and defaults |',
    '| `install.sh`, `helm/values/` | the same releases with helm and kubectl, for clusters without Flux |',
    '',
    '## Add-ons',
    '',
    ...modules.map((a) => `- \`${a.name}\` in \`${a.namespace}\``),
    '',
    ...(flux
      ? [
          '## Bootstrapping Flux',
          '',
          `Commit this directory at \`${(m.addons.gitops as { flux: { path: string } }).flux.path}\` of the repository, then bootstrap Flux at that path.`,
          ...(m.network.vpc.mode === 'new'
            ? [
                'The load balancer controller needs the VPC id, which exists only once the network stack does:',
                '',
                '```sh',
                `kubectl -n flux-system create configmap ${CLUSTER_INFO} \\`,
                `  --from-literal=${VPC_ID_VARIABLE}=$(aws cloudformation list-exports --region ${m.region} --query "Exports[?Name=='${m.name}-VpcId'].Value" --output text)`,
                '```',
              ]
            : []),
          '',
        ]
      : []),
    'No credentials are in this tree. Create these Secrets in `monitoring` (or sync them with',
    'external-secrets): `alertmanager-receivers`, one key per receiver name, read by Alertmanager as',
    'files; and, with Grafana, `grafana-admin` with keys `admin-user` and `admin-password`.',
    '',
  ].join('\n');
}
