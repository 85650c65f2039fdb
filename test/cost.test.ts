import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { estimateCost, onDemandShare } from '../src/cost/estimate.js';
import { plan } from '../src/plan.js';
import { runCli, TODAY } from './helpers/run-cli.js';

const ZERO_USAGE = { natGbPerMonth: 0, controlPlaneLogGbPerMonth: 0, containerLogGbPerMonth: 0, interAzGbPerMonth: 0, internetEgressGbPerMonth: 0 };
const doc = (spec: Record<string, unknown>, kubernetesVersion = '1.35') =>
  stringify({ apiVersion: 'kuberator.dev/v1alpha1', kind: 'Cluster', metadata: { name: 'c' }, spec: { region: 'us-east-1', kubernetesVersion, ...spec } });
const estimate = (spec: Record<string, unknown>, today = TODAY, version?: string) => plan(doc(spec, version), 'c.yaml', { today, rules: [] }).cost;
const SMALL = {
  network: { nat: 'single', vpcEndpoints: ['s3'] },
  nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m5.large'], minSize: 3, maxSize: 3 }],
  addons: { logging: false, ingress: false, monitoring: false },
  cost: ZERO_USAGE,
};

describe('cost estimate', () => {
  test('3 × m5.large on demand in us-east-1, the control plane and one NAT gateway, by hand', () => {
    const e = estimate(SMALL);
    const by = (prefix: string) => e.items.find((i) => i.item.startsWith(prefix))!;
    assert.equal(by('EKS control plane').monthlyUsd, 73); // 730 h × $0.10
    assert.equal(by('Nodes sys').monthlyUsd, 210.24); // 3 × 730 h × $0.096
    assert.equal(by('Root volumes sys').monthlyUsd, 12); // 3 × 50 GB × $0.08
    assert.equal(by('NAT gateways').monthlyUsd, 32.85); // 730 h × $0.045
    assert.equal(by('NAT data').monthlyUsd, 0);
    assert.equal(e.monthlyUsd, 328.09);
    assert.equal(e.partial, false);
    assert.ok(e.items.every((i) => i.source.length > 0 && i.unit.length > 0));
  });
  test('the node line carries the cost at the group’s minimum and maximum size', () => {
    const e = estimate({ ...SMALL, nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m5.large'], minSize: 2, maxSize: 6, desiredSize: 3 }] });
    assert.deepEqual(e.items.find((i) => i.category === 'nodes')!.range, { minUsd: 140.16, maxUsd: 420.48 });
  });
  test('a price missing in the region is unknown, never zero, and the total says it is partial', () => {
    const e = estimate({ ...SMALL, region: 'af-south-1' });
    const nat = e.items.find((i) => i.item.startsWith('NAT gateways'))!;
    assert.equal(nat.monthlyUsd, null);
    assert.equal(nat.unitPriceUsd, null);
    assert.match(nat.source, /^unknown/);
    assert.equal(e.partial, true);
    assert.equal(e.monthlyUsd, Math.round(e.items.reduce((s, i) => s + (i.monthlyUsd ?? 0), 0) * 100) / 100);
  });
  test('extended support is priced after standard support ends', () => {
    const e = estimate(SMALL, '2026-01-01', '1.31'); // 1.31: standard until 2025-11-26
    const cp = e.items.find((i) => i.category === 'control-plane')!;
    assert.match(cp.item, /extended support/);
    assert.equal(cp.monthlyUsd, 438); // 730 h × $0.60
  });
  test('spot at the assumed discount, per family when stated', () => {
    const spot = { name: 'apps', instanceTypes: ['m5.large'], capacity: 'spot', minSize: 4, maxSize: 4 };
    const base = estimate({ ...SMALL, nodeGroups: [SMALL.nodeGroups[0], spot] });
    assert.equal(base.items.find((i) => i.item.startsWith('Nodes apps'))!.monthlyUsd, 112.13); // 4 × 730 × 0.096 × 0.4
    const byFamily = estimate({ ...SMALL, nodeGroups: [SMALL.nodeGroups[0], spot], cost: { ...ZERO_USAGE, spotDiscountByFamily: { m5: 70 } } });
    assert.equal(byFamily.items.find((i) => i.item.startsWith('Nodes apps'))!.monthlyUsd, 84.1); // × 0.3
  });
  test('mixed groups: the on-demand base, then the share above it, rounded up', () => {
    const g = { capacity: 'mixed', spot: { onDemandBase: 2, onDemandPercentageAboveBase: 20, allocationStrategy: 'price-capacity-optimized' } } as never;
    assert.deepEqual(onDemandShare(g, 1), { onDemand: 1, spot: 0 });
    assert.deepEqual(onDemandShare(g, 6), { onDemand: 3, spot: 3 });
    assert.deepEqual(onDemandShare(g, 12), { onDemand: 4, spot: 8 });
  });
  test('provisioned IOPS and throughput count only above gp3’s free baseline', () => {
    const e = estimate({ ...SMALL, nodeGroups: [{ ...SMALL.nodeGroups[0], volume: { type: 'gp3', sizeGiB: 100, iops: 4000, throughputMiBps: 125 } }] });
    assert.equal(e.items.find((i) => i.item.startsWith('Provisioned IOPS'))!.quantity, 3000); // 3 × (4000 − 3000)
    assert.equal(e.items.find((i) => i.item.startsWith('Provisioned throughput')), undefined);
  });
  test('the platform’s own data volumes are priced when monitoring is on', () => {
    const e = estimate({ ...SMALL, addons: { logging: false, ingress: false } });
    const v = e.items.find((i) => i.item.startsWith('Monitoring volumes'))!;
    assert.equal(v.quantity, 70);
    assert.equal(v.monthlyUsd, 5.6); // 70 GB × $0.08
  });
  test('the model is pure: same inputs, same estimate', () => {
    const m = plan(doc(SMALL), 'c.yaml', { today: TODAY, rules: [] }).model;
    assert.deepEqual(estimateCost(m, TODAY), estimateCost(m, TODAY));
  });
});

describe('kuberator cost (CLI)', () => {
  const files = { 'a.yaml': doc(SMALL), 'b.yaml': doc({ ...SMALL, network: { nat: 'perAz', vpcEndpoints: ['s3'] } }) };
  test('JSON has the documented shape', () => {
    const r = runCli(['cost', 'a.yaml', '-o', 'json'], { files });
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(Object.keys(j).sort(), ['assumptions', 'currency', 'date', 'items', 'monthlyUsd', 'partial', 'region']);
    assert.equal(j.currency, 'USD');
    assert.deepEqual(Object.keys((j.items as object[])[0]!).sort(), ['category', 'item', 'monthlyUsd', 'quantity', 'source', 'unit', 'unitPriceUsd']);
  });
  test('--compare prints the difference item by item', () => {
    const r = runCli(['cost', 'a.yaml', '--compare', 'b.yaml'], { files });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /NAT gateways: 3\s+\$32\.85\s+\$98\.55\s+\+\$65\.70/);
    assert.match(r.stdout, /Total: \$328\.09 → \$393\.79 \(\+\$65\.70\/month\)/);
  });
  test('plan shows the cost summary and puts the estimate in its JSON', () => {
    const text = runCli(['plan', 'a.yaml'], { files }).stdout;
    assert.match(text, /^Cost {2}about \$328\.09\/month: nodes \$210\.24/m);
    const json = JSON.parse(runCli(['plan', 'a.yaml', '-o', 'json'], { files }).stdout) as { cost: { monthlyUsd: number } };
    assert.equal(json.cost.monthlyUsd, 328.09);
  });
});

describe('right-sizing from workloads', () => {
  test('workloads: replicas, requests (init containers at their peak) and node roles', async () => {
    const { parseWorkloads } = await import('../src/workloads/manifests.js');
    const { readRepoFile } = await import('./helpers/run-cli.js');
    const { workloads, issues } = parseWorkloads([{ file: 'shop.yaml', text: readRepoFile('test/fixtures/workloads/shop.yaml') }]);
    assert.deepEqual(issues, []);
    assert.deepEqual(
      workloads.map((w) => [w.kind, w.name, w.replicas, w.cpuMillicores, w.memoryMiB, w.role ?? '-']),
      [
        ['Deployment', 'web', 6, 250, 512, '-'],
        ['Deployment', 'api', 4, 1000, 1152, 'app'],
        ['StatefulSet', 'postgres', 3, 1000, 4096, 'stateful'],
        ['DaemonSet', 'node-agent', 1, 100, 128, '-'],
        ['Job', 'reindex', 2, 500, 2048, '-'],
        ['Deployment', 'giant', 1, 64000, 8192, 'app'],
      ],
    );
  });
  test('kuberator cost --manifests: cheapest fit per group, never below the LP bound, waste and unplaceable reported', () => {
    const r = runCli(['cost', 'examples/production.yaml', '--manifests', 'test/fixtures/workloads', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const sizing = (JSON.parse(r.stdout) as { rightSizing: Array<{ group: string; pods: number; recommendedNodes: number; recommendedMonthlyUsd: number; lowerBoundMonthlyUsd: number; desiredMonthlyUsd: number; unplaceable: string[] }> }).rightSizing;
    const apps = sizing.find((g) => g.group === 'apps')!;
    assert.equal(apps.pods, 6 + 4 + 2 + 1);
    assert.deepEqual(apps.unplaceable, ['shop/giant']);
    assert.ok(apps.recommendedNodes >= 3, 'one node per zone at least');
    for (const g of sizing) {
      assert.ok(g.lowerBoundMonthlyUsd <= g.recommendedMonthlyUsd + 0.01, `${g.group}: bound ≤ recommendation`);
    }
    assert.equal(sizing.find((g) => g.group === 'data')!.pods, 3);
    const text = runCli(['cost', 'examples/production.yaml', '--manifests', 'test/fixtures/workloads']).stdout;
    assert.match(text, /Right-sizing from workload requests/);
    assert.match(text, /Fits on no allowed instance type: shop\/giant \(apps\)/);
  });
  test('malformed manifests are an input error with their position; a missing path too', () => {
    const bad = runCli(['cost', 'examples/minimal.yaml', '--manifests', 'bad.yaml'], { files: {} });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /cannot read manifests at bad\.yaml: no such file or directory/);
  });
});
