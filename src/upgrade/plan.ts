// The upgrade planner (L39, L40): from the resolved spec, the data tables and the workloads, a
// sequence of hops of one minor each. Each hop: pre-checks (removed APIs, PDBs that block drains,
// single replicas, subnet IPs for surge nodes, version skew, support dates), the control plane,
// the add-ons at their versions for the new minor, the node groups (system, then app, then
// stateful zone by zone) and post-checks. Pure: objects come in, a plan comes out.
import type { ClusterCapacity } from '../capacity/index.js';
import { auditObjects } from '../audit/index.js';
import type { KubeObject } from '../audit/objects.js';
import { KuberatorError } from '../errors.js';
import { addonVersions, type CoreAddon, eksVersions, findEksVersion } from '../facts/index.js';
import { chartFor, clusterAutoscalerImageTag } from '../facts/charts.js';
import type { ResolvedCluster, ResolvedNodeGroup } from '../model/types.js';
import { nodeGroupUnits, type NodeGroupUnit } from '../model/units.js';
import { ROLE_LABEL } from '../model/defaults.js';
import { compareAddonVersions, minorOf, maxSkew } from '../model/versions.js';
import { Names } from '../render/cloudformation/names.js';
import { amiParameter } from '../render/cloudformation/userdata.js';
import { CATALOG } from '../render/kubernetes/catalog.js';
import { findRule } from '../rules/index.js';
import type { Finding, WorkloadRule } from '../rules/types.js';
import type { ChangeKind, UpgradeCheck, UpgradeHop, UpgradePlan, UpgradeStep } from './types.js';

export interface UpgradeOptions {
  to: string;
  today: string;
  specFile: string;
  /** Workloads to check (from manifests or a live cluster). */
  objects?: readonly KubeObject[];
  workloads: 'manifests' | 'live' | 'none';
  /** Roll nodes in every hop (default), or only when skew requires it and in the last hop. */
  nodes?: 'each-hop' | 'last-hop';
}

/** The order EKS documents for managed add-ons after a control-plane upgrade. */
const MANAGED_ADDONS: readonly CoreAddon[] = ['vpc-cni', 'coredns', 'kube-proxy', 'aws-ebs-csi-driver'];
const ROLE_ORDER = { system: 0, app: 1, stateful: 2 } as const;
/** Days before the end of standard support that a hop target counts as ending soon. */
const SUPPORT_SOON_DAYS = 120;

export { minorOf, maxSkew };

const versionOf = (minor: number) => `1.${minor}`;

/** The data table's managed add-on versions for a minor (empty when the table has none). */
function tableFor(minor: string): Partial<Record<CoreAddon, string>> {
  return addonVersions(minor) ?? {};
}

/** A node group's Kubernetes minor: its own pin when the spec holds it back, else the cluster's (resolved). */
export function nodeVersion(_m: ResolvedCluster, g: ResolvedNodeGroup): string {
  return g.kubernetesVersion;
}

/** The managed add-on versions the cluster runs: pins where the spec has them, else the table's for its minor. */
export function currentAddonVersions(m: ResolvedCluster): Partial<Record<CoreAddon, string>> {
  const out: Partial<Record<CoreAddon, string>> = {};
  for (const a of MANAGED_ADDONS) {
    const v = m.addonVersions[a];
    if (v) out[a] = v.version;
  }
  return out;
}

/** Target versions after the plan: what `--write` sets in the spec. */
export function pinsAfter(m: ResolvedCluster, to: string): { kubernetesVersion: string; addons: Record<string, string>; nodeGroups: Array<{ path: string; kubernetesVersion: string }> } {
  const table = tableFor(to);
  const now = currentAddonVersions(m);
  return {
    kubernetesVersion: to,
    // A pin already newer than the table stays; an upstream tag (the EBS CSI entry) is not a build EKS accepts, so it is never written.
    addons: Object.fromEntries(MANAGED_ADDONS.filter((a) => table[a] && isEksBuild(table[a]!)).map((a) => [a, moves(now[a], table[a]!) ? table[a]! : now[a]!])),
    nodeGroups: m.nodeGroups.filter((g) => g.declared).map((g) => ({ path: g.path, kubernetesVersion: to })),
  };
}

export function planUpgrade(m: ResolvedCluster, capacity: ClusterCapacity, opts: UpgradeOptions): UpgradePlan {
  const from = m.kubernetesVersion;
  const to = opts.to;
  if (!/^1\.\d+$/.test(to)) throw new KuberatorError('KBR-UPG001', `--to expects a minor version such as 1.34, got '${to}'`);
  if (!findEksVersion(to)) throw new KuberatorError('KBR-UPG002', `EKS has no Kubernetes ${to} in kuberator's data; known: ${eksVersions().map((v) => v.version).sort((a, b) => minorOf(a) - minorOf(b)).join(', ')}`);
  if (minorOf(to) < minorOf(from)) throw new KuberatorError('KBR-UPG003', `cannot go from ${from} down to ${to}: EKS control planes do not downgrade; build a new cluster at ${to} and move the workloads`);

  const names = new Names(m);
  const notes: string[] = [];
  if (opts.workloads === 'none') notes.push('No workloads were given (--manifests or --live): removed APIs, PDBs and replicas are not checked. Run again with them before the upgrade.');
  if (m.controlPlane.selfManaged) notes.push('The control plane is self-managed: each control-plane step replaces the masters one at a time through the control-plane stack instead of an EKS API call.');

  const kind = classify(m, to);
  if (kind !== 'nodes' && m.addonVersions['aws-ebs-csi-driver']?.pinned) {
    notes.push("spec.addons.versions.aws-ebs-csi-driver is pinned, and the data table knows only the upstream release: --write leaves the pin; set it to the build the add-on step installed (aws eks describe-addon … --query addon.addonVersion).");
  }
  const hops: UpgradeHop[] = [];
  if (kind === 'minor') {
    const mode = opts.nodes ?? 'each-hop';
    // Node versions as the hops go: they move only in the hops that roll them.
    const nodeAt = new Map(m.nodeGroups.map((g) => [g.name, nodeVersion(m, g)]));
    for (let v = minorOf(from); v < minorOf(to); v++) {
      const hopFrom = versionOf(v);
      const hopTo = versionOf(v + 1);
      const last = v + 1 === minorOf(to);
      // In last-hop mode nodes move only when the next hop would put them beyond the skew policy.
      const mustMove = [...nodeAt.values()].some((nv) => minorOf(hopTo) + (last ? 0 : 1) - minorOf(nv) > maxSkew(versionOf(v + (last ? 1 : 2))));
      const rollNodes = mode === 'each-hop' || last || mustMove;
      const hop = planHop(m, capacity, names, opts, hopFrom, hopTo, nodeAt, rollNodes);
      if (rollNodes) for (const g of m.nodeGroups) nodeAt.set(g.name, hopTo);
      hops.push(hop);
    }
  } else {
    hops.push(planInPlace(m, capacity, names, opts, kind));
  }
  return {
    cluster: m.name,
    region: m.region,
    specFile: opts.specFile,
    from,
    to,
    kind,
    workloads: opts.workloads,
    hops,
    notes,
    blocked: hops.some((h) => h.preChecks.some((c) => c.status === 'block')),
  };
}

/** The same minor: node groups held back catch up; else add-on pins move; else a node AMI refresh. */
function classify(m: ResolvedCluster, to: string): ChangeKind {
  if (to !== m.kubernetesVersion) return 'minor';
  if (m.nodeGroups.some((g) => nodeVersion(m, g) !== m.kubernetesVersion)) return 'nodes';
  const table = tableFor(m.kubernetesVersion);
  const now = currentAddonVersions(m);
  if (MANAGED_ADDONS.some((a) => table[a] && moves(now[a], table[a]!))) return 'addons';
  return 'nodes';
}

function planHop(m: ResolvedCluster, capacity: ClusterCapacity, names: Names, opts: UpgradeOptions, from: string, to: string, nodeAt: Map<string, string>, rollNodes: boolean): UpgradeHop {
  const preChecks = [
    ...workloadChecks(opts, to),
    subnetHeadroom(m, capacity, rollNodes),
    skewCheck(m, from, to, nodeAt, rollNodes),
    supportCheck(to, opts.today),
  ];
  return {
    from,
    to,
    preChecks,
    controlPlane: controlPlaneStep(m, names, opts.specFile, to),
    addons: [...managedAddonSteps(m, from, to), ...helmSteps(m, opts.specFile, from, to)],
    nodeGroups: rollNodes ? nodeSteps(m, names, to, nodeAt) : [],
    postChecks: postChecks(m, to, rollNodes),
  };
}

function planInPlace(m: ResolvedCluster, capacity: ClusterCapacity, names: Names, opts: UpgradeOptions, kind: ChangeKind): UpgradeHop {
  const v = m.kubernetesVersion;
  const nodeAt = new Map(m.nodeGroups.map((g) => [g.name, nodeVersion(m, g)]));
  const rollNodes = kind === 'nodes';
  return {
    from: v,
    to: v,
    preChecks: [...(rollNodes ? workloadChecks(opts, v).filter((c) => c.id !== 'removed-apis' && c.id !== 'deprecated-apis') : []), ...(rollNodes ? [subnetHeadroom(m, capacity, true)] : []), skewCheck(m, v, v, nodeAt, rollNodes), supportCheck(v, opts.today)],
    addons: kind === 'addons' ? managedAddonSteps(m, v, v) : [],
    nodeGroups: rollNodes ? nodeSteps(m, names, v, nodeAt) : [],
    postChecks: postChecks(m, v, rollNodes),
  };
}

// ---- pre-checks -------------------------------------------------------------------------------

const WORKLOAD_CHECKS: Array<{ id: UpgradeCheck['id']; title: string; rules: string[]; blockOn: 'error' | 'never' }> = [
  { id: 'removed-apis', title: 'No object uses an API version the new minor no longer serves', rules: ['workload/removed-api'], blockOn: 'error' },
  { id: 'deprecated-apis', title: 'API versions deprecated in the new minor are migrated', rules: ['workload/deprecated-api'], blockOn: 'never' },
  { id: 'pdb-blockers', title: 'No PodDisruptionBudget blocks node drains', rules: ['workload/pdb-blocks-drain'], blockOn: 'error' },
  { id: 'single-replicas', title: 'Workloads survive a node drain (two or more replicas, spread)', rules: ['workload/replicas', 'workload/spread'], blockOn: 'never' },
];

function workloadChecks(opts: UpgradeOptions, target: string): UpgradeCheck[] {
  const rules = WORKLOAD_CHECKS.flatMap((c) => c.rules).map((id) => findRule(id) as WorkloadRule | undefined).filter((r): r is WorkloadRule => r !== undefined);
  const findings: Finding[] = opts.objects && opts.workloads !== 'none' ? auditObjects({ objects: opts.objects, malformed: [] }, { today: opts.today, kubernetesVersion: target, rules }).findings.filter((f) => !f.suppressed) : [];
  return WORKLOAD_CHECKS.map((c) => {
    if (opts.workloads === 'none') return { id: c.id, title: c.title, status: 'warn', details: ['not checked: no workloads given (--manifests or --live)'] };
    const mine = findings.filter((f) => c.rules.includes(f.rule));
    const errors = mine.filter((f) => f.severity === 'error');
    const loud = mine.filter((f) => f.severity !== 'info');
    const status = c.blockOn === 'error' && errors.length ? 'block' : loud.length ? 'warn' : 'pass';
    return { id: c.id, title: c.title, status, details: loud.map(describe), ...(loud.length ? { findings: loud } : {}) };
  });
}

function describe(f: Finding): string {
  const o = f.object;
  const who = o ? `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}` : '(document)';
  const where = f.location ? ` (${f.location.file}:${f.location.line})` : '';
  return `${who}${where}: ${f.message}`;
}

/**
 * Surge room (L40): replacing nodes starts new ones before the old ones go, so each subnet of the
 * node tier needs the IPs of the surge nodes on top of what the cluster uses at full scale.
 */
function subnetHeadroom(m: ResolvedCluster, capacity: ClusterCapacity, rollNodes: boolean): UpgradeCheck {
  const title = 'Subnets have free IPs for the surge nodes of a rolling replacement';
  if (!rollNodes) return { id: 'subnet-headroom', title, status: 'pass', details: ['no node replacement in this hop'] };
  const details: string[] = [];
  let status: UpgradeCheck['status'] = 'pass';
  for (const s of capacity.subnets.filter((x) => x.tier === m.network.topology)) {
    // The largest batch of any unit in this zone is what surges at once.
    const need = Math.max(0, ...nodeGroupUnits(m).filter((u) => !u.zone || u.zone === s.zone).map((u) => surgeOf(u) * (capacity.nodeGroups.find((g) => g.name === u.group.name)?.ipsPerNode ?? 0)));
    if (s.headroom < need) {
      status = 'block';
      const free = s.headroom < 0 ? `short of ${-s.headroom} IPs at full scale even before surging` : `${s.headroom} IPs free at full scale`;
      details.push(`${s.zone} ${s.cidr}: ${free}, ${need} needed for surge nodes; lower the batch (maxUnavailable) or add a subnet`);
    } else details.push(`${s.zone} ${s.cidr}: ${s.headroom} IPs free at full scale, ${need} needed for surge nodes`);
  }
  return { id: 'subnet-headroom', title, status, details };
}

/** Nodes replaced at once in a unit: one for system and stateful units, a quarter of the desired size (at least one) for app groups. */
export function surgeOf(u: NodeGroupUnit): number {
  if (u.group.role !== 'app') return 1;
  return Math.max(1, Math.floor(u.group.desiredSize / 4));
}

function skewCheck(m: ResolvedCluster, from: string, to: string, nodeAt: Map<string, string>, rollNodes: boolean): UpgradeCheck {
  const details: string[] = [];
  let status: UpgradeCheck['status'] = 'pass';
  for (const g of m.nodeGroups) {
    const nv = nodeAt.get(g.name) ?? m.kubernetesVersion;
    const now = minorOf(from) - minorOf(nv);
    const after = minorOf(to) - minorOf(nv);
    if (now > maxSkew(from)) {
      status = 'block';
      details.push(`${g.name}: kubelets at ${nv} are ${now} minors behind the control plane (${from}), beyond the ${maxSkew(from)} the skew policy allows: upgrade them first`);
    } else if (after > maxSkew(to)) {
      status = 'block';
      details.push(`${g.name}: kubelets at ${nv} would be ${after} minors behind ${to}: roll them before this control-plane step`);
    } else details.push(`${g.name}: kubelets at ${nv}, ${now} behind now, ${after} after the control plane moves${rollNodes && after > 0 ? `, ${to} after this hop's node step` : ''}`);
  }
  return { id: 'skew', title: `Kubelet versions stay within the skew policy (n-${maxSkew(to)})`, status, details };
}

function supportCheck(to: string, today: string): UpgradeCheck {
  const v = findEksVersion(to);
  const title = `Kubernetes ${to} is in standard support`;
  if (!v?.endOfStandardSupport) return { id: 'support', title, status: 'warn', details: [`no support dates known for ${to}`] };
  const days = Math.round((Date.parse(`${v.endOfStandardSupport}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  if (days < 0) return { id: 'support', title, status: 'warn', details: [`standard support for ${to} ended on ${v.endOfStandardSupport}; it runs at the extended-support price until ${v.endOfExtendedSupport ?? 'unknown'}: go further`] };
  if (days <= SUPPORT_SOON_DAYS) return { id: 'support', title, status: 'warn', details: [`standard support for ${to} ends on ${v.endOfStandardSupport}, in ${days} days`] };
  return { id: 'support', title, status: 'pass', details: [`standard support until ${v.endOfStandardSupport}${v.endOfExtendedSupport ? `, extended until ${v.endOfExtendedSupport}` : ''}`] };
}

// ---- steps ------------------------------------------------------------------------------------

function controlPlaneStep(m: ResolvedCluster, names: Names, specFile: string, to: string): UpgradeStep {
  const keep = [`kuberator upgrade plan ${specFile} --to ${to} --write > /dev/null`, `kuberator render ${specFile} --out rendered/ --force`];
  if (m.controlPlane.selfManaged) {
    return {
      id: 'control-plane',
      title: `Control plane to ${to} (self-managed)`,
      notes: ['Masters are replaced one at a time; etcd keeps quorum as long as only one is down.'],
      commands: [...keep, stackDeploy(m, names, 'cluster')],
      verify: ['kubectl version', 'kubectl get --raw /readyz?verbose'],
    };
  }
  return {
    id: 'control-plane',
    title: `Control plane to ${to}`,
    notes: ['EKS moves the control plane one minor per call and keeps the API available; it takes 10 to 25 minutes.', 'Bump the spec and re-render afterwards so the cluster stack matches (a later stack update must not move the version back).'],
    commands: [`aws eks update-cluster-version --region ${m.region} --name ${m.name} --kubernetes-version ${to}`, `aws eks wait cluster-active --region ${m.region} --name ${m.name}`, ...keep],
    verify: [`aws eks describe-cluster --region ${m.region} --name ${m.name} --query cluster.version --output text   # ${to}`],
  };
}

/** Whether an add-on goes forward from `now` to `next`: a pin newer than the table is never moved back. */
const moves = (now: string | undefined, next: string) => now === undefined || compareAddonVersions(next, now) > 0;

/** EKS add-on builds look like v1.19.0-eksbuild.1; the table's EBS CSI entry is the upstream tag, which EKS does not accept as is. */
const isEksBuild = (v: string) => /-eksbuild\.\d+$/.test(v);

function managedAddonSteps(m: ResolvedCluster, from: string, to: string): UpgradeStep[] {
  const now = from === m.kubernetesVersion ? currentAddonVersions(m) : tableFor(from);
  const next = tableFor(to);
  return MANAGED_ADDONS.filter((a) => next[a] && moves(now[a], next[a]!) && (a !== 'aws-ebs-csi-driver' || m.addons.ebsCsi !== false)).map((a) => ({
    id: `addon/${a}`,
    title: `${a} ${now[a] ?? '(unknown)'} → ${next[a]}`,
    notes: a === 'kube-proxy' ? ['kube-proxy runs on every node: it may trail the control plane but must not be newer than it.'] : a === 'vpc-cni' ? ['Pods keep their IPs; new pods get IPs from the new version once its DaemonSet has rolled.'] : [],
    commands: [
      ...(isEksBuild(next[a]!) ? [] : [`V=$(aws eks describe-addon-versions --region ${m.region} --addon-name ${a} --kubernetes-version ${to} --query 'addons[0].addonVersions[?compatibilities[?defaultVersion]].addonVersion | [0]' --output text)`]),
      `aws eks update-addon --region ${m.region} --cluster-name ${m.name} --addon-name ${a} --addon-version ${isEksBuild(next[a]!) ? next[a] : '"$V"'} --resolve-conflicts PRESERVE`,
      `aws eks wait addon-active --region ${m.region} --cluster-name ${m.name} --addon-name ${a}`,
    ],
    verify: [`aws eks describe-addon --region ${m.region} --cluster-name ${m.name} --addon-name ${a} --query 'addon.[addonVersion,status]' --output text`],
  }));
}

/** Helm add-ons whose pinned chart changes between the minors (cluster-autoscaler always: its minor is the cluster's). */
function helmSteps(m: ResolvedCluster, specFile: string, from: string, to: string): UpgradeStep[] {
  const changed = CATALOG.filter((mod) => mod.enabled(m))
    .map((mod) => ({ mod, a: chartFor(mod.chart, from), b: chartFor(mod.chart, to), image: mod.name === 'cluster-autoscaler' ? [clusterAutoscalerImageTag(from), clusterAutoscalerImageTag(to)] : undefined }))
    .filter(({ a, b, image }) => b && (a?.version !== b.version || (image && image[0] !== image[1])));
  if (!changed.length) return [];
  return [
    {
      id: 'helm/releases',
      title: `Helm releases for ${to}: ${changed.map(({ mod, a, b, image }) => (a?.version !== b!.version ? `${mod.name} chart ${a?.version ?? '-'} → ${b!.version}` : `${mod.name} image ${image![0] ?? '-'} → ${image![1]}`)).join(', ')}`,
      notes: ['The charts are pinned per minor in data/helm-charts.json; re-rendering writes the new HelmRelease versions into the GitOps tree, and Flux applies them.'],
      commands: [`kuberator render ${specFile} --out rendered/ --force`, 'git -C rendered add kubernetes && git -C rendered commit -m "Platform add-ons for Kubernetes ' + to + '"', 'flux reconcile kustomization infrastructure-controllers --with-source'],
      verify: ['flux get helmreleases -A', ...changed.map(({ mod }) => `kubectl -n ${mod.namespace} rollout status deploy -l app.kubernetes.io/instance=${mod.name} --timeout=5m`)],
    },
  ];
}

/** The same deploy command the rendered cloudformation/README.md gives: the parameters file carries the new AMI path. */
function stackDeploy(m: ResolvedCluster, names: Names, kind: string): string {
  return `aws cloudformation deploy --region ${m.region} --stack-name ${names.stackName(kind)} --template-file rendered/cloudformation/${kind}.template.json --parameter-overrides file://rendered/cloudformation/${kind}.parameters.json --capabilities CAPABILITY_IAM`;
}

/** System first, then apps, then stateful groups zone by zone. */
function nodeSteps(m: ResolvedCluster, names: Names, to: string, nodeAt: Map<string, string>): UpgradeStep[] {
  const units = nodeGroupUnits(m).sort((a, b) => ROLE_ORDER[a.group.role] - ROLE_ORDER[b.group.role] || (a.zone ?? '').localeCompare(b.zone ?? ''));
  return units.map((u) => {
    const g = u.group;
    const fromVersion = nodeAt.get(g.name) ?? m.kubernetesVersion;
    const selector = `${ROLE_LABEL}=${g.role}${u.zone ? `,topology.kubernetes.io/zone=${u.zone}` : ''}`;
    const where = u.zone ? ` in ${u.zone}` : '';
    const batch = surgeOf(u);
    if (g.managed) {
      const ng = names.managedNodeGroupName(u);
      return {
        id: `nodes/${u.key}`,
        title: `Node group ${u.key} (${g.role}${where}): ${fromVersion} → ${to}, managed`,
        notes: [
          `The launch template sets the AMI (from ${amiParameter(g, to)}), so EKS refuses a bare version bump: updating the stack writes a new launch template version, and EKS rolls the group to it.`,
          `EKS replaces the nodes, draining each through the eviction API (PDBs are honoured), ${batch} at a time.`,
        ],
        commands: [
          stackDeploy(m, names, names.nodeGroupKind(u)),
          `aws eks wait nodegroup-active --region ${m.region} --cluster-name ${m.name} --nodegroup-name ${ng}`,
        ],
        verify: [`kubectl get nodes -l ${selector} -o custom-columns=NAME:.metadata.name,VERSION:.status.nodeInfo.kubeletVersion`],
      };
    }
    const asg = names.asgName(u);
    return {
      id: `nodes/${u.key}`,
      title: `Node group ${u.key} (${g.role}${where}): ${fromVersion} → ${to}, drain and replace ${batch} at a time`,
      notes: [
        `The stack's AmiId parameter follows ${amiParameter(g, to)}; updating the stack changes the launch template, and only new instances use it.`,
        'Self-managed groups have no rolling update policy: surge nodes are started first, then each old node is drained through the eviction API (PDBs are honoured) and terminated; the Auto Scaling group replaces it from the new launch template, and the last terminations give the surge back.',
        ...(g.role === 'stateful' ? ['Stateful groups go zone by zone: volumes are zonal, so a pod can only move to a node in its own zone.'] : []),
      ],
      commands: [
        stackDeploy(m, names, names.nodeGroupKind(u)),
        `OLD=$(kubectl get nodes -l ${selector} -o jsonpath='{range .items[?(@.status.nodeInfo.kubeletVersion)]}{.metadata.name}{" "}{.status.nodeInfo.kubeletVersion}{"\\n"}{end}' | grep -v 'v${to}\\.' | cut -d' ' -f1)`,
        `ORIG=$(aws autoscaling describe-auto-scaling-groups --region ${m.region} --auto-scaling-group-names ${asg} --query 'AutoScalingGroups[0].DesiredCapacity' --output text)`,
        `aws autoscaling set-desired-capacity --region ${m.region} --auto-scaling-group-name ${asg} --desired-capacity $(( ORIG + ${batch} ))`,
        `kubectl wait --for=condition=Ready nodes -l ${selector} --timeout=15m`,
        // Each old node is drained, then terminated: the first ones are replaced by the ASG (from the
        // new launch template); the last `batch` of them give the surge back, so the group ends at its size.
        `i=0; N=$(echo $OLD | wc -w); for n in $OLD; do i=$((i+1)); if [ $i -gt $(( N - ${batch} )) ]; then DEC=--should-decrement-desired-capacity; else DEC=--no-should-decrement-desired-capacity; fi; kubectl drain "$n" --ignore-daemonsets --delete-emptydir-data --timeout=20m && aws autoscaling terminate-instance-in-auto-scaling-group --region ${m.region} --instance-id "$(kubectl get node "$n" -o jsonpath='{.spec.providerID}' | cut -d/ -f5)" $DEC || break; done`,
      ],
      verify: [`kubectl get nodes -l ${selector} -o custom-columns=NAME:.metadata.name,VERSION:.status.nodeInfo.kubeletVersion   # all v${to}.x`, 'kubectl get pods -A --field-selector=status.phase=Pending'],
    };
  });
}

function postChecks(m: ResolvedCluster, to: string, rolled: boolean): UpgradeStep[] {
  return [
    {
      id: 'post/health',
      title: `Cluster healthy on ${to}`,
      notes: rolled ? [] : ['Nodes were not rolled in this hop: they still run the previous minor, within the skew policy.'],
      commands: [],
      verify: [
        'kubectl get nodes -o custom-columns=NAME:.metadata.name,VERSION:.status.nodeInfo.kubeletVersion,READY:.status.conditions[-1].status',
        'kubectl get pods -A --field-selector=status.phase!=Running,status.phase!=Succeeded',
        `kuberator audit --live --kubernetes-version ${to} --fail-on error`,
        ...MANAGED_ADDONS.filter((a) => a !== 'aws-ebs-csi-driver' || m.addons.ebsCsi !== false).map((a) => `aws eks describe-addon --region ${m.region} --cluster-name ${m.name} --addon-name ${a} --query addon.status --output text`),
      ],
    },
  ];
}
