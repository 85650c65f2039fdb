// The upgrade planner over a live cluster: objects read from a real kube-apiserver 1.20 (old API
// versions as served) feed the removed-API and PDB pre-checks of each hop.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readLiveObjects } from '../src/audit/live.js';
import { plan } from '../src/plan.js';
import { planUpgrade } from '../src/upgrade/plan.js';
import { adminClient, type KubeEnv, liveSkipReason, startKubeEnv } from './helpers/kube-env.js';
import { closedPort } from './helpers/servers.js';
import { readRepoFile, runCliAsync, TODAY } from './helpers/run-cli.js';

const skip = liveSkipReason();

describe('upgrade plan --live against kube-apiserver 1.20', { skip }, () => {
  let env: KubeEnv;

  before(async () => {
    env = await startKubeEnv();
    const { create } = await adminClient(env);
    await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'jobs' } });
    const labels = { app: 'report' };
    await create({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'report', namespace: 'jobs' },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'report:1.0.0' }] } } },
    });
    await create({ apiVersion: 'policy/v1beta1', kind: 'PodDisruptionBudget', metadata: { name: 'report', namespace: 'jobs' }, spec: { maxUnavailable: 0, selector: { matchLabels: labels } } });
    await create({
      apiVersion: 'batch/v1beta1',
      kind: 'CronJob',
      metadata: { name: 'nightly', namespace: 'jobs' },
      spec: { schedule: '0 2 * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'report:1.0.0' }] } } } } },
    });
  });
  after(async () => env?.stop());

  test('objects served under batch/v1beta1 and policy/v1beta1 block the hops from 1.25; the PDB blocks drains in every hop', async () => {
    const live = await readLiveObjects({ kubeconfig: env.kubeconfig });
    const spec = readRepoFile('examples/production.yaml').replace(/kubernetesVersion: "1\.\d+"/, 'kubernetesVersion: "1.23"');
    const r = plan(spec, 'production.yaml', { today: TODAY, rules: [] });
    const p = planUpgrade(r.model, r.capacity, { to: '1.26', today: TODAY, specFile: 'production.yaml', objects: live.objects, workloads: 'live' });
    const removed = p.hops.map((h) => h.preChecks.find((c) => c.id === 'removed-apis')!);
    // Served at 1.23-era versions: fine until 1.24, removed from the hop to 1.25 on.
    assert.deepEqual(removed.map((c) => c.status), ['pass', 'block', 'block']);
    assert.match(removed[1]!.details.join('\n'), /CronJob jobs\/nightly: batch\/v1beta1 CronJob was removed in Kubernetes 1\.25.*batch\/v1/);
    assert.match(removed[1]!.details.join('\n'), /PodDisruptionBudget jobs\/report: policy\/v1beta1 PodDisruptionBudget was removed/);
    for (const h of p.hops) assert.equal(h.preChecks.find((c) => c.id === 'pdb-blockers')!.status, 'block', `${h.to}: the maxUnavailable 0 budget stalls drains`);
    assert.ok(p.blocked);
    assert.equal(p.workloads, 'live');
  });

  test('the CLI reads the cluster with --live, says where it differs from the spec, and fails on the block', async () => {
    const spec = join(env.dir, 'production-1.23.yaml');
    writeFileSync(spec, readRepoFile('examples/production.yaml').replace(/kubernetesVersion: "1\.\d+"/, 'kubernetesVersion: "1.23"'));
    const r = await runCliAsync(['upgrade', 'plan', spec, '--to', '1.26', '--live', '--kubeconfig', env.kubeconfig, '--date', TODAY, '-o', 'json', '--fail-on-block']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /^warning: The cluster of context \S+ serves Kubernetes 1\.20, but .* says 1\.23/m);
    const j = JSON.parse(r.stdout) as { workloads: string; blocked: boolean; notes: string[] };
    assert.equal(j.workloads, 'live');
    assert.ok(j.blocked);
    assert.ok(j.notes.some((n) => /serves Kubernetes 1\.20/.test(n)));
  });
});

describe('upgrade plan --live without a cluster', () => {
  test('an unreachable API server exits 2 with one line', async () => {
    const port = await closedPort();
    const kubeconfig = join(mkdtempSync(join(tmpdir(), 'kbr-upgrade-live-')), 'kubeconfig');
    writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: ctx, context: {cluster: c, user: u}}]\ncurrent-context: ctx\n`);
    const r = await runCliAsync(['upgrade', 'plan', 'examples/production.yaml', '--to', '1.36', '--live', '--kubeconfig', kubeconfig]);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `error: cannot reach the Kubernetes API server https://127.0.0.1:${port} (context "ctx"): connection refused\n`);
  });
});
