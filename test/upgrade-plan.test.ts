// The upgrade planner: hop sequencing, add-on versions per hop from the data tables, removed APIs
// for every removal release in the deprecation data, PDB blockers, skew and node placement, subnet
// headroom for surge nodes, and the errors for targets it cannot plan.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { KuberatorError } from '../src/errors.js';
import { addonVersions, deprecatedApis, findEksVersion } from '../src/facts/index.js';
import { plan } from '../src/plan.js';
import { maxSkew, pinsAfter } from '../src/upgrade/plan.js';
import type { UpgradePlan } from '../src/upgrade/types.js';
import { readRepoFile, TODAY } from './helpers/run-cli.js';
import { at, production, upgrade } from './helpers/upgrade.js';


const check = (p: UpgradePlan, hop: number, id: string) => p.hops[hop]!.preChecks.find((c) => c.id === id)!;

describe('upgrade plan: hops and steps', () => {
  test('1.30 → 1.33 is three hops of one minor, each with a control-plane step', () => {
    const p = upgrade(at(production, '1.30'), { to: '1.33' });
    assert.equal(p.kind, 'minor');
    assert.deepEqual(p.hops.map((h) => `${h.from}→${h.to}`), ['1.30→1.31', '1.31→1.32', '1.32→1.33']);
    for (const h of p.hops) assert.match(h.controlPlane!.commands[0]!, new RegExp(`update-cluster-version .*--kubernetes-version ${h.to.replace('.', '\\.')}$`));
  });

  test('managed node groups roll through a stack update whose parameters carry the new AMI path', () => {
    const spec = at(production, '1.33').replace('    - name: system\n      role: system\n', '    - name: system\n      role: system\n      managed: true\n');
    const p = upgrade(spec, { to: '1.34' });
    const step = p.hops[0]!.nodeGroups.find((s) => s.id === 'nodes/system')!;
    assert.match(step.title, /managed/);
    assert.ok(!step.commands.some((c) => c.includes('update-nodegroup-version')), 'EKS refuses a version bump when the launch template sets the AMI');
    assert.match(step.commands[0]!, /cloudformation deploy .*--stack-name shop-prod-nodegroup-system .*--parameter-overrides file:\/\/rendered\/cloudformation\/nodegroup-system\.parameters\.json/);
    assert.ok(step.notes.some((n) => n.includes('/aws/service/eks/optimized-ami/1.34/')));
  });

  test('an EBS CSI pin moves to the default EKS build of the new minor, looked up rather than taken from the upstream tag', () => {
    const spec = at(production, '1.33').replace('  addons:\n', '  addons:\n    versions: { aws-ebs-csi-driver: "v1.40.0-eksbuild.1" }\n');
    const step = upgrade(spec, { to: '1.34' }).hops[0]!.addons.find((s) => s.id === 'addon/aws-ebs-csi-driver')!;
    assert.ok(step, 'the pinned build differs from the table');
    assert.match(step.commands[0]!, /describe-addon-versions .*--addon-name aws-ebs-csi-driver --kubernetes-version 1\.34/);
    assert.match(step.commands[1]!, /update-addon .*--addon-version "\$V"/);
  });

  test('a pin newer than the table is never moved back, neither by a step nor by --write', () => {
    const table = addonVersions('1.35')!;
    const newer = table.coredns.replace(/eksbuild\.(\d+)$/, (_, n) => `eksbuild.${Number(n) + 5}`);
    const spec = production.replace('  addons:\n', `  addons:\n    versions: { coredns: "${newer}" }\n`);
    const r = plan(spec, 'spec.yaml', { today: TODAY, rules: [] });
    assert.equal(upgrade(spec, { to: '1.35' }).kind, 'nodes', 'nothing for the add-ons to catch up on');
    assert.equal(pinsAfter(r.model, '1.35').addons.coredns, newer);
    const older = table.coredns.replace(/eksbuild\.(\d+)$/, (_, n) => `eksbuild.${Number(n) - 1}`);
    const behind = production.replace('  addons:\n', `  addons:\n    versions: { coredns: "${older}" }\n`);
    assert.equal(upgrade(behind, { to: '1.35' }).kind, 'addons');
    assert.equal(pinsAfter(plan(behind, 'spec.yaml', { today: TODAY, rules: [] }).model, '1.35').addons.coredns, table.coredns);
  });

  test('self-managed groups surge, replace old nodes one drain at a time, and give the surge back at the end', () => {
    const p = upgrade(at(production, '1.34'), { to: '1.35' });
    const step = p.hops[0]!.nodeGroups.find((s) => s.id === 'nodes/apps')!;
    const loop = step.commands.find((c) => c.startsWith('i=0;'))!;
    assert.match(loop, /--no-should-decrement-desired-capacity/);
    assert.match(loop, /DEC=--should-decrement-desired-capacity/);
    assert.ok(step.commands.some((c) => /set-desired-capacity .*ORIG \+ \d+/.test(c)));
  });

  test('managed add-ons move to the data table’s versions for each hop, and only when they change', () => {
    const p = upgrade(at(production, '1.30'), { to: '1.33' });
    for (const h of p.hops) {
      const before = addonVersions(h.from)!;
      const after = addonVersions(h.to)!;
      for (const a of ['vpc-cni', 'coredns', 'kube-proxy', 'aws-ebs-csi-driver'] as const) {
        const step = h.addons.find((s) => s.id === `addon/${a}`);
        if (before[a] === after[a]) assert.equal(step, undefined, `${h.to}: ${a} unchanged, no step`);
        else {
          assert.ok(step, `${h.to}: ${a} ${before[a]} → ${after[a]}`);
          assert.match(step.commands[0]!, new RegExp(`--addon-name ${a} --addon-version ${after[a]} `));
        }
      }
    }
    // kube-proxy follows the cluster minor, so it moves in every hop.
    assert.ok(p.hops.every((h) => h.addons.some((s) => s.id === 'addon/kube-proxy')));
  });

  test('cluster-autoscaler’s image follows the minor in a Helm step', () => {
    const p = upgrade(at(production, '1.34'), { to: '1.35' });
    const helm = p.hops[0]!.addons.find((s) => s.id === 'helm/releases')!;
    assert.match(helm.title, /cluster-autoscaler image v1\.34\.\S+ → v1\.35\./);
  });

  test('node groups go system, then app, then stateful zone by zone', () => {
    const p = upgrade(production, { to: '1.36' });
    const ids = p.hops[0]!.nodeGroups.map((s) => s.id);
    assert.deepEqual(ids, ['nodes/system', 'nodes/apps', 'nodes/data-eu-west-1a', 'nodes/data-eu-west-1b', 'nodes/data-eu-west-1c']);
    const apps = p.hops[0]!.nodeGroups[1]!;
    assert.match(apps.notes.join(' '), /\/aws\/service\/eks\/optimized-ami\/1\.36\//);
    assert.ok(apps.commands.some((c) => c.includes('kubectl drain') && c.includes('--ignore-daemonsets')));
  });

  test('last-hop mode rolls nodes only when the skew policy requires it, and in the last hop', () => {
    const p = upgrade(at(production, '1.30'), { to: '1.36', nodes: 'last-hop' });
    const rolled = p.hops.filter((h) => h.nodeGroups.length).map((h) => h.to);
    // Nodes at 1.30 may trail by 3: they must move before the control plane reaches 1.34.
    assert.deepEqual(rolled, ['1.33', '1.36']);
    for (const h of p.hops) assert.notEqual(check(p, p.hops.indexOf(h), 'skew').status, 'block');
    assert.deepEqual(upgrade(at(production, '1.30'), { to: '1.36' }).hops.map((h) => h.nodeGroups.length > 0), [true, true, true, true, true, true]);
  });

  test('the skew policy is n-3 from 1.28 and n-2 before', () => {
    assert.equal(maxSkew('1.28'), 3);
    assert.equal(maxSkew('1.27'), 2);
  });

  test('the same minor with nothing held back is a node AMI refresh without a control-plane step', () => {
    const p = upgrade(production, { to: '1.35' });
    assert.equal(p.kind, 'nodes');
    assert.equal(p.hops.length, 1);
    assert.equal(p.hops[0]!.controlPlane, undefined);
    assert.ok(p.hops[0]!.nodeGroups.length > 0);
  });

  test('a downgrade, an unknown version and a malformed target are input errors', () => {
    assert.throws(() => upgrade(production, { to: '1.30' }), (e: unknown) => e instanceof KuberatorError && /cannot go from 1\.35 down to 1\.30/.test(e.message));
    assert.throws(() => upgrade(production, { to: '1.99' }), (e: unknown) => e instanceof KuberatorError && /no Kubernetes 1\.99/.test(e.message));
    assert.throws(() => upgrade(production, { to: 'latest' }), (e: unknown) => e instanceof KuberatorError && /expects a minor version/.test(e.message));
  });
});

describe('upgrade plan: pre-checks', () => {
  const manifestFor = (apiVersion: string, kind: string) => `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: old-${kind.toLowerCase()}\n  namespace: shop\n`;

  // One case per removal release the data knows, within the versions EKS had.
  const releases = [...new Set(deprecatedApis().filter((a) => a.component === 'k8s' && a.removedIn).map((a) => a.removedIn!))].filter((r) => findEksVersion(`1.${Number(r.split('.')[1]) - 1}`));
  test('there are removal releases to check', () => assert.ok(releases.length >= 8, releases.join(',')));
  for (const removed of releases) {
    test(`removed in ${removed}: the hop to ${removed} blocks on it, the hop before does not`, () => {
      const api = deprecatedApis().find((a) => a.component === 'k8s' && a.removedIn === removed)!;
      const before = `1.${Number(removed.split('.')[1]) - 2}`;
      const from = findEksVersion(before) ? before : `1.${Number(removed.split('.')[1]) - 1}`;
      const p = upgrade(at(production, from), { to: removed }, manifestFor(api.apiVersion, api.kind));
      const last = p.hops.length - 1;
      const c = check(p, last, 'removed-apis');
      assert.equal(c.status, 'block', `${api.apiVersion} ${api.kind}: ${c.details.join('; ')}`);
      assert.match(c.details.join('\n'), new RegExp(`${api.kind} (shop/)?old-${api.kind.toLowerCase()} \\(m\\.yaml:1\\)`));
      if (api.replacement) assert.match(c.details.join('\n'), new RegExp(api.replacement.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')));
      if (last > 0) assert.equal(check(p, last - 1, 'removed-apis').status, 'pass');
      assert.ok(p.blocked);
    });
  }

  test('a PDB that allows no disruption blocks; one that allows one passes', () => {
    const deployment = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 3\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: c, image: "web:1.0.0"}]}\n---\n`;
    const pdb = (rule: string) => `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: web, namespace: shop}\nspec: {${rule}, selector: {matchLabels: {app: web}}}\n`;
    assert.equal(check(upgrade(production, { to: '1.36' }, deployment + pdb('maxUnavailable: 0')), 0, 'pdb-blockers').status, 'block');
    assert.equal(check(upgrade(production, { to: '1.36' }, deployment + pdb('minAvailable: 3')), 0, 'pdb-blockers').status, 'block');
    assert.equal(check(upgrade(production, { to: '1.36' }, deployment + pdb('maxUnavailable: 1')), 0, 'pdb-blockers').status, 'pass');
  });

  test('a single replica warns, and without workloads the checks say they were not run', () => {
    const one = `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: solo, namespace: shop}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app: solo}}\n  template:\n    metadata: {labels: {app: solo}}\n    spec: {containers: [{name: c, image: "solo:1.0.0"}]}\n`;
    assert.equal(check(upgrade(production, { to: '1.36' }, one), 0, 'single-replicas').status, 'warn');
    const none = upgrade(production, { to: '1.36' });
    assert.match(check(none, 0, 'removed-apis').details[0]!, /not checked/);
    assert.match(none.notes.join(' '), /No workloads were given/);
  });

  test('subnets without room for surge nodes block (L40)', () => {
    const tight = readRepoFile('examples/existing-vpc.yaml')
      .replace('cidr: 10.20.0.0/19 }', 'cidr: 10.20.0.0/24 }')
      .replace('cidr: 10.20.32.0/19 }', 'cidr: 10.20.32.0/24 }')
      .replace('cidr: 10.20.64.0/19 }', 'cidr: 10.20.64.0/24 }');
    const p = upgrade(tight, { to: '1.35' });
    const c = check(p, 0, 'subnet-headroom');
    assert.equal(c.status, 'block', c.details.join('\n'));
    assert.match(c.details[0]!, /needed for surge nodes/);
    assert.equal(check(upgrade(readRepoFile('examples/existing-vpc.yaml'), { to: '1.35' }), 0, 'subnet-headroom').status, 'pass');
  });

  test('a hop to a version past standard support warns with the date', () => {
    const p = upgrade(at(production, '1.32'), { to: '1.34' });
    const support = p.hops.map((h) => h.preChecks.find((c) => c.id === 'support')!);
    assert.equal(support[0]!.status, 'warn');
    assert.match(support[0]!.details[0]!, /standard support for 1\.33 ended on \d{4}-\d{2}-\d{2}/);
  });
});
