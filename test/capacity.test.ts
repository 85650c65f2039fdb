import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'yaml';
import { computeCapacity, corednsReplicas } from '../src/capacity/index.js';
import { resolve } from '../src/model/resolve.js';
import { parseSpec } from '../src/spec/parse.js';
import { parseCidr, usableInSubnet } from '../src/util/cidr.js';

function capacity(spec: Record<string, unknown>) {
  const text = stringify({ apiVersion: 'kuberator.dev/v1alpha1', kind: 'Cluster', metadata: { name: 't' }, spec: { region: 'us-east-1', kubernetesVersion: '1.35', ...spec } });
  const { spec: s, source } = parseSpec(text, 't.yaml');
  return computeCapacity(resolve(s, source, { today: '2026-11-22' }));
}

describe('capacity', () => {
  test('AWS keeps five addresses in every subnet', () => {
    assert.equal(usableInSubnet(parseCidr('10.0.0.0/24')!), 251);
    assert.equal(usableInSubnet(parseCidr('10.0.0.0/21')!), 2043);
  });

  test('m5.large allocatable: 2000m − 70m − 100m, 8192Mi − 574Mi − 100Mi − 500Mi', () => {
    const c = capacity({ nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m5.large'], minSize: 2, maxSize: 3 }] });
    const i = c.nodeGroups[0]!.instances[0]!;
    assert.equal(i.maxPods, 29);
    assert.equal(i.allocatableCpuMillicores, 1830);
    assert.equal(i.allocatableMemoryMiB, 7018);
  });

  test('subnet IPs at max scale: nodes per zone × (pods + node + warm ENI), capped by what the ENIs hold', () => {
    // 9 × m5.large over 3 zones = 3 per zone; each holds at most 3 ENIs × 10 = 30 IPs.
    const c = capacity({ nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m5.large'], minSize: 3, maxSize: 9 }] });
    assert.equal(c.nodeGroups[0]!.ipsPerNode, 30);
    const a = c.subnets.find((s) => s.zone === 'us-east-1a' && s.tier === 'private')!;
    assert.equal(a.ipsNeeded, 90);
    assert.equal(a.usableIps, 8187);
    assert.equal(a.headroom, 8097);
    assert.equal(c.subnets.find((s) => s.tier === 'public')!.ipsNeeded, 0);
  });

  test('per-zone groups count their max size in every zone', () => {
    const c = capacity({ nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m5.large'], maxSize: 3 }, { name: 'db', role: 'stateful', instanceTypes: ['m5.large'], perAz: true, maxSize: 2 }] });
    const db = c.nodeGroups[1]!;
    assert.equal(db.maxNodes, 6);
    assert.equal(db.maxNodesPerZone, 2);
    assert.equal(c.maxNodes, 9);
    assert.equal(c.maxPods, 9 * 29);
  });

  test('spot pools are instance types × zones (one zone per per-AZ group)', () => {
    const c = capacity({
      nodeGroups: [
        { name: 'sys', role: 'system', instanceTypes: ['m5.large'] },
        { name: 'a', instanceTypes: ['m5.xlarge', 'm6i.xlarge'], capacity: 'spot' },
        { name: 'b', instanceTypes: ['m5.xlarge', 'm6i.xlarge'], capacity: 'spot', perAz: true },
      ],
    });
    assert.deepEqual(c.nodeGroups.map((g) => g.spotPools), [0, 6, 2]);
  });

  test('prefix delegation takes /28 blocks: pods rounded up to 16, plus one warm prefix and the node', () => {
    const c = capacity({ network: { pods: { prefixDelegation: true } }, nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m5.large'] }] });
    assert.equal(c.nodeGroups[0]!.maxPods, 110);
    assert.equal(c.nodeGroups[0]!.ipsPerNode, (7 + 1) * 16 + 1);
  });

  test('custom networking: pods draw from the pod subnets, nodes from the private ones', () => {
    const c = capacity({ network: { pods: { customNetworking: { cidr: '100.64.0.0/16' } } }, nodeGroups: [{ name: 'sys', role: 'system', instanceTypes: ['m5.large'], maxSize: 3 }] });
    const pods = c.subnets.filter((s) => s.tier === 'pods');
    assert.equal(pods.length, 3);
    assert.ok(pods.every((s) => s.podSubnet && s.cidr.endsWith('/18')));
    const priv = c.subnets.find((s) => s.tier === 'private')!;
    assert.equal(priv.podSubnet, false);
    assert.equal(priv.ipsNeeded, 1); // one node per zone, its own address only
  });

  test('CoreDNS ladder: one replica per 256 cores or 16 nodes, at least two', () => {
    assert.equal(corednsReplicas(3, 6), 2);
    assert.equal(corednsReplicas(40, 160), 3);
    assert.equal(corednsReplicas(100, 1600), 7);
  });
});
