// `kuberator upgrade plan` end to end: the runbook on standard output or in a file, JSON,
// workloads from manifests, exit codes (blocked plans, usage errors), and --write on a spec file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { addonVersions } from '../src/facts/index.js';
import { readRepoFile, ROOT, runCli, TODAY } from './helpers/run-cli.js';

const BIN = join(ROOT, (JSON.parse(readRepoFile('package.json')) as { bin: { kuberator: string } }).bin.kuberator);
const noStack = (stderr: string) => assert.doesNotMatch(stderr, /\n\s+at |internal error/);
const tmp = () => mkdtempSync(join(tmpdir(), 'kbr-upgrade-'));

describe('upgrade plan output', () => {
  test('the bundled CLI prints the Markdown runbook and exits 0', () => {
    const r = spawnSync(process.execPath, [BIN, 'upgrade', 'plan', 'examples/production.yaml', '--to', '1.36', '--date', TODAY], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /^# Upgrade runbook: shop-prod, Kubernetes 1\.35 → 1\.36\n/);
    assert.match(r.stdout, /^## Hop 1 of 1: 1\.35 → 1\.36$/m);
    assert.match(r.stdout, /^ {2}aws eks update-cluster-version --region eu-west-1 --name shop-prod --kubernetes-version 1\.36$/m);
    assert.match(r.stdout, /^- \[ \] \*\*Control plane to 1\.36\*\*/m);
  });

  test('-o json is the plan as JSON, hop by hop', () => {
    const r = runCli(['upgrade', 'plan', 'examples/existing-vpc.yaml', '--to', '1.36', '--date', TODAY, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { cluster: string; from: string; to: string; workloads: string; hops: Array<{ from: string; to: string }> };
    assert.equal(j.cluster, 'payments-qa');
    assert.equal(j.workloads, 'none');
    assert.deepEqual(j.hops.map((h) => `${h.from}→${h.to}`), ['1.34→1.35', '1.35→1.36']);
  });

  test('--out writes the runbook to a file, and stdout says where', () => {
    const out = join(tmp(), 'runbooks', 'prod.md');
    const r = runCli(['upgrade', 'plan', 'examples/production.yaml', '--to', '1.36', '--date', TODAY, '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `wrote ${out}\n`);
    assert.equal(readFileSync(out, 'utf8'), runCli(['upgrade', 'plan', 'examples/production.yaml', '--to', '1.36', '--date', TODAY]).stdout);
  });

  test('--nodes last-hop leaves the node steps to the last hop when skew allows', () => {
    const j = JSON.parse(runCli(['upgrade', 'plan', 'examples/existing-vpc.yaml', '--to', '1.36', '--date', TODAY, '-o', 'json', '--nodes', 'last-hop']).stdout) as { hops: Array<{ nodeGroups: unknown[] }> };
    assert.deepEqual(j.hops.map((h) => h.nodeGroups.length > 0), [false, true]);
  });

  test('the spec’s own minor plans a node refresh without a control-plane step', () => {
    const r = runCli(['upgrade', 'plan', 'examples/production.yaml', '--to', '1.35', '--date', TODAY, '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout) as { kind: string; hops: Array<{ controlPlane?: unknown; nodeGroups: unknown[] }> };
    assert.equal(j.kind, 'nodes');
    assert.equal(j.hops[0]!.controlPlane, undefined);
    assert.ok(j.hops[0]!.nodeGroups.length > 0);
  });
});

describe('upgrade plan with workloads', () => {
  const args = ['upgrade', 'plan', 'examples/field-mistakes.yaml', '--to', '1.33', '--date', TODAY, '--manifests', 'examples/manifests/field-mistakes'];

  test('the field-mistakes manifests block: removed API and a PDB that stalls drains', () => {
    const r = runCli([...args, '-o', 'json']);
    assert.equal(r.code, 0, 'blocked, but only --fail-on-block fails');
    assert.match(r.stderr, /^blocked: \d+ pre-checks must be fixed first/m);
    const j = JSON.parse(r.stdout) as { workloads: string; blocked: boolean; hops: Array<{ preChecks: Array<{ id: string; status: string; details: string[] }> }> };
    assert.equal(j.workloads, 'manifests');
    assert.ok(j.blocked);
    const first = j.hops[0]!.preChecks;
    assert.equal(first.find((c) => c.id === 'removed-apis')!.status, 'block');
    assert.match(first.find((c) => c.id === 'removed-apis')!.details.join('\n'), /Ingress edge\/gateway \(examples\/manifests\/field-mistakes\/kong\.yaml:\d+\)/);
    assert.equal(first.find((c) => c.id === 'pdb-blockers')!.status, 'block');
  });

  test('--fail-on-block exits 1 on a blocked plan, 0 on a clear one', () => {
    const blocked = runCli([...args, '--fail-on-block']);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stdout, /⛔ BLOCK/);
    const clear = runCli(['upgrade', 'plan', 'examples/production.yaml', '--to', '1.36', '--date', TODAY, '--manifests', 'examples/manifests/shop', '--fail-on-block']);
    assert.equal(clear.code, 0, clear.stderr);
    assert.match(clear.stdout, /^- Workloads: from manifests$/m);
  });

  test('several manifest paths, and - for standard input', () => {
    const r = runCli(['upgrade', 'plan', 'examples/production.yaml', '--to', '1.36', '--date', TODAY, '-o', 'json', '--manifests', 'examples/manifests/shop', '-'], { stdin: 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old, namespace: shop}\n' });
    const j = JSON.parse(r.stdout) as { blocked: boolean; hops: Array<{ preChecks: Array<{ id: string; details: string[] }> }> };
    assert.ok(j.blocked);
    assert.match(j.hops[0]!.preChecks.find((c) => c.id === 'removed-apis')!.details[0]!, /^Ingress shop\/old \(\(stdin\):1\)/);
  });

  test('an unreadable document is named in the notes and on stderr', () => {
    const r = runCli(['upgrade', 'plan', 'examples/production.yaml', '--to', '1.36', '--date', TODAY, '--manifests', '-'], { stdin: 'kind: [x\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^warning: \(stdin\):\d+: a document could not be read/m);
    assert.match(r.stdout, /^## Notes\n\n- \(stdin\):\d+: a document could not be read/m);
  });
});

describe('upgrade plan usage errors', () => {
  test('exit 2 with one clear line and no stack trace', () => {
    for (const [argv, re] of [
      [['--to', '1.36', '--manifests', 'examples/manifests/shop', '--live'], /^error: give either --manifests or --live, not both\n$/],
      [['--to', '1.36', '--context', 'prod'], /^error: --context applies only with --live\n$/],
      [[], /^error: upgrade plan needs --to <minor>/],
      [['--to', 'latest'], /^error: --to expects a minor version such as 1\.\d+, got 'latest'\n$/],
      [['--to', '1.99'], /^error: EKS has no Kubernetes 1\.99 in kuberator's data; known: .*1\.36\n$/],
      [['--to', '1.30'], /^error: cannot go from 1\.35 down to 1\.30/],
      [['--to', '1.36', '--date', '2026-02-30'], /^error: --date expects a calendar date/],
      [['--to', '1.36', '--manifests', 'nope/'], /^error: cannot read nope\/: no such file or directory\n$/],
      [['--to', '1.36', '--nodes', 'sometimes'], /argument 'sometimes' is invalid/],
    ] as const) {
      const r = runCli(['upgrade', 'plan', 'examples/production.yaml', ...argv]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re, argv.join(' '));
      assert.equal(r.stdout, '');
      noStack(r.stderr);
    }
  });

  test('a missing spec, a missing subcommand and an unknown one', () => {
    const missing = runCli(['upgrade', 'plan', 'missing.yaml', '--to', '1.36']);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'error: cannot read missing.yaml: no such file\n');
    const bare = runCli(['upgrade']);
    assert.equal(bare.code, 2);
    assert.match(bare.stderr, /plan \[options\] <spec>/);
    const unknown = runCli(['upgrade', 'apply', 'examples/production.yaml']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command 'apply'/);
  });

  test('the bundled CLI: a bad --to exits 2 without a stack trace', () => {
    const r = spawnSync(process.execPath, [BIN, 'upgrade', 'plan', 'examples/production.yaml', '--to', '2.0'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.equal(r.stderr, "error: --to expects a minor version such as 1.34, got '2.0'\n");
  });
});

describe('upgrade plan --write', () => {
  const commented = (version: string) =>
    readRepoFile('examples/production.yaml')
      .replace('kubernetesVersion: "1.35"', `kubernetesVersion: "${version}"   # moved by upgrade plan --write`)
      .replace('  network:\n', '  # The network is fixed at creation.\n  network:\n');

  test('the bundled CLI bumps the version in a copy of the spec, keeping comments and layout', () => {
    const dir = tmp();
    const spec = join(dir, 'prod.yaml');
    const before = commented('1.34');
    writeFileSync(spec, before);
    const r = spawnSync(process.execPath, [BIN, 'upgrade', 'plan', spec, '--to', '1.36', '--date', TODAY, '--write', '--out', join(dir, 'runbook.md')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^updated ${spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\n {2}spec\\.kubernetesVersion: 1\\.34 → 1\\.36\\n`));
    assert.match(r.stderr, /EKS moves one minor at a time/);
    const after = readFileSync(spec, 'utf8');
    assert.equal(after, before.replace('kubernetesVersion: "1.34"', 'kubernetesVersion: "1.36"'));
    assert.match(after, /^ {2}# The network is fixed at creation\.$/m);
    // The written spec still validates, at the new version.
    const v = runCli(['plan', spec, '--date', TODAY, '-o', 'json', '--fail-on', 'none']);
    assert.equal((JSON.parse(v.stdout) as { cluster: { spec: { kubernetesVersion: string } } }).cluster.spec.kubernetesVersion, '1.36');
    // The runbook went to --out, complete.
    assert.match(readFileSync(join(dir, 'runbook.md'), 'utf8'), /^## Hop 2 of 2: 1\.35 → 1\.36$/m);
  });

  test('existing add-on and node-group pins move with the version; no pin is added', () => {
    const spec = join(tmp(), 'pinned.yaml');
    const before = commented('1.34')
      .replace('  addons:\n', '  addons:\n    versions:\n      kube-proxy: v1.34.0-eksbuild.2   # held back on purpose\n')
      .replace(/^ {4}- name: data$/m, '    - name: data\n      kubernetesVersion: "1.33"');
    writeFileSync(spec, before);
    assert.equal(runCli(['validate', spec, '--date', TODAY]).code, 0, 'the pinned copy is a valid spec');
    const r = runCli(['upgrade', 'plan', spec, '--to', '1.36', '--date', TODAY, '--write', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const kubeProxy = addonVersions('1.36')!['kube-proxy']!;
    assert.match(r.stderr, new RegExp(`spec\\.addons\\.versions\\.kube-proxy: v1\\.34\\.0-eksbuild\\.2 → ${kubeProxy.replace(/\./g, '\\.')}`));
    assert.match(r.stderr, /spec\.nodeGroups\[2\]\.kubernetesVersion: 1\.33 → 1\.36/);
    const after = readFileSync(spec, 'utf8');
    assert.equal(
      after,
      before
        .replace('kubernetesVersion: "1.34"', 'kubernetesVersion: "1.36"')
        .replace('kube-proxy: v1.34.0-eksbuild.2', `kube-proxy: ${kubeProxy}`)
        .replace('kubernetesVersion: "1.33"', 'kubernetesVersion: "1.36"'),
    );
    // The text above is the whole file: nothing else was added. It still validates.
    assert.equal(runCli(['validate', spec, '--date', TODAY]).code, 0);
  });

  test('a spec already at the target is left alone', () => {
    const spec = join(tmp(), 'prod.yaml');
    writeFileSync(spec, commented('1.36'));
    const r = runCli(['upgrade', 'plan', spec, '--to', '1.36', '--date', TODAY, '--write']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /already at 1\.36; nothing to change/);
    assert.equal(readFileSync(spec, 'utf8'), commented('1.36'));
  });

  test('--fail-on-block stops --write on a blocked plan', () => {
    const spec = join(tmp(), 'prod.yaml');
    writeFileSync(spec, commented('1.35'));
    const r = runCli(['upgrade', 'plan', spec, '--to', '1.36', '--date', TODAY, '--write', '--fail-on-block', '--manifests', '-'], { stdin: 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old, namespace: shop}\n' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not writing .*prod\.yaml: the plan is blocked/);
    assert.equal(readFileSync(spec, 'utf8'), commented('1.35'));
  });
});
