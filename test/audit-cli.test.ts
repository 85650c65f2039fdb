// `kuberator audit` end to end through the CLI: inputs (files, directories, stdin), the four
// output formats, exit codes, configuration and the ways of suppressing a finding.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runCli } from './helpers/run-cli.js';

const BAD_POD = `apiVersion: v1
kind: Pod
metadata:
  name: debug
  namespace: tools
spec:
  containers:
    - name: shell
      image: busybox:1.36.1
      resources:
        requests: { memory: 512Mi }
        limits: { memory: 256Mi }
`;

const json = (stdout: string) => JSON.parse(stdout) as { summary: Record<string, number>; findings: Array<Record<string, unknown>> };
const rulesOf = (stdout: string) => [...new Set(json(stdout).findings.filter((f) => !f.suppressed).map((f) => f.rule as string))];

describe('audit inputs', () => {
  test('the clean example app has no findings and exits 0', () => {
    const r = runCli(['audit', 'examples/manifests/shop']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /No findings\./);
    assert.match(r.stdout, /score 100\/100/);
  });

  test('standard input with -, findings carry (stdin):line', () => {
    const r = runCli(['audit', '-', '-o', 'json', '--fail-on', 'none'], { stdin: BAD_POD });
    assert.equal(r.code, 0);
    const f = json(r.stdout).findings.find((x) => x.rule === 'workload/memory-headroom')!;
    assert.deepEqual(f.location, { file: '(stdin)', line: 12, col: 9 });
    assert.deepEqual(f.object, { apiVersion: 'v1', kind: 'Pod', namespace: 'tools', name: 'debug' });
    assert.equal(f.container, 'shell');
  });

  test('a malformed document is a finding; the rest is still audited', () => {
    const r = runCli(['audit', '-', '-o', 'json'], { stdin: `apiVersion: v1\nkind: Pod\nmetadata: {name: [x\n---\n${BAD_POD}` });
    assert.equal(r.code, 1);
    const out = json(r.stdout);
    const bad = out.findings.find((f) => f.rule === 'workload/invalid-manifest')!;
    // The parser notices the unclosed flow sequence where the document ends.
    assert.ok([3, 4].includes((bad.location as { line: number }).line), JSON.stringify(bad.location));
    assert.ok(out.findings.some((f) => f.rule === 'workload/memory-headroom'), 'the valid document after it is audited');
    assert.equal(out.summary.malformed, 1);
  });

  test('usage errors exit 2 with one line and no stack', () => {
    for (const [argv, re] of [
      [['audit'], /needs paths/],
      [['audit', 'nope/'], /cannot read nope\/: no such file or directory/],
      [['audit', 'examples/manifests/shop', '--live'], /either paths or --live/],
      [['audit', 'examples/manifests/shop', '--context', 'x'], /--context applies only with --live/],
      [['audit', 'examples/manifests/shop', '--kubernetes-version', 'one'], /expects a version such as 1.33/],
    ] as const) {
      const r = runCli([...argv]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });
});

describe('audit with a cluster spec', () => {
  test('--spec sets the target version and lets the audit check node roles against the node groups', () => {
    const pod = BAD_POD.replace('spec:\n  containers:', 'spec:\n  nodeSelector: { node.kuberator.dev/role: stateful }\n  containers:');
    const r = runCli(['audit', '-', '--spec', 'examples/minimal.yaml', '-o', 'json', '--fail-on', 'none'], { stdin: pod });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { kubernetesVersion: string; findings: Array<{ rule: string; message: string }> };
    const minimal = runCli(['plan', 'examples/minimal.yaml', '-o', 'json']);
    assert.equal(out.kubernetesVersion, (JSON.parse(minimal.stdout) as { cluster: { spec: { kubernetesVersion: string } } }).cluster.spec.kubernetesVersion);
    const missing = out.findings.find((f) => f.rule === 'workload/node-role-missing');
    assert.ok(missing, 'the minimal cluster has no stateful group');
    assert.match(missing.message, /roles: system/);
    const text = runCli(['audit', '-', '--spec', 'examples/production.yaml', '-o', 'json', '--fail-on', 'none'], { stdin: pod });
    assert.ok(!JSON.parse(text.stdout).findings.some((f: { rule: string }) => f.rule === 'workload/node-role-missing'), 'production has a stateful group');
  });
});

describe('audit outputs and exit codes', () => {
  test('text groups findings under their object with file:line, why and fix', () => {
    const r = runCli(['audit', '-'], { stdin: BAD_POD });
    assert.equal(r.code, 1, 'an error finding fails the default --fail-on error');
    assert.match(r.stdout, /^Pod tools\/debug/m);
    assert.match(r.stdout, /ERROR\s+workload\/memory-headroom \[L29\]\s+\(stdin\):12:9/);
    assert.match(r.stdout, /why: /);
    assert.match(r.stdout, /fix: /);
  });

  test('--fail-on sets the threshold', () => {
    const warnOnly = BAD_POD.replace('limits: { memory: 256Mi }', 'limits: { memory: 768Mi }');
    assert.equal(runCli(['audit', '-'], { stdin: warnOnly }).code, 0);
    assert.equal(runCli(['audit', '-', '--fail-on', 'warning'], { stdin: warnOnly }).code, 1);
    assert.equal(runCli(['audit', '-', '--fail-on', 'none'], { stdin: BAD_POD }).code, 0);
  });

  test('SARIF 2.1.0 with rules, levels and regions', () => {
    const r = runCli(['audit', '-', '-o', 'sarif', '--fail-on', 'none'], { stdin: BAD_POD });
    const s = JSON.parse(r.stdout);
    assert.equal(s.version, '2.1.0');
    const run = s.runs[0];
    assert.equal(run.tool.driver.name, 'kuberator');
    const res = run.results.find((x: { ruleId: string }) => x.ruleId === 'workload/memory-headroom');
    assert.equal(res.level, 'error');
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 12, startColumn: 9 });
    assert.equal(run.tool.driver.rules[res.ruleIndex].id, 'workload/memory-headroom');
    const info = run.results.find((x: { ruleId: string }) => x.ruleId === 'workload/cpu-limits');
    assert.equal(info.level, 'note');
  });

  test('JUnit lists every rule evaluated per object; failures at --fail-on', () => {
    const r = runCli(['audit', '-', '-o', 'junit', '--fail-on', 'error'], { stdin: BAD_POD });
    assert.match(r.stdout, /^<\?xml/);
    assert.match(r.stdout, /<testsuite name="Pod tools\/debug" tests="\d+" failures="1"/);
    assert.match(r.stdout, /<testcase classname="Pod tools\/debug" name="workload\/memory-headroom" file="\(stdin\)">\s*<failure type="error"/);
    assert.match(r.stdout, /<testcase classname="Pod tools\/debug" name="workload\/cpu-requests">\s*<system-out>warning/);
  });
});

describe('audit configuration and suppression', () => {
  const files = (config: string) => ({ 'cfg.yaml': config });

  test('a config turns rules off and changes severities', () => {
    const r = runCli(['audit', '-', '-o', 'json', '--config', 'cfg.yaml', '--fail-on', 'none'], {
      stdin: BAD_POD,
      files: files('rules:\n  workload/memory-headroom: warning\n  workload/cpu-limits: off\n'),
    });
    const out = json(r.stdout);
    assert.ok(!rulesOf(r.stdout).includes('workload/cpu-limits'));
    assert.equal(out.findings.find((f) => f.rule === 'workload/memory-headroom')!.severity, 'warning');
  });

  test('exemptions match namespace, name prefix and container prefix, and keep the finding marked', () => {
    const r = runCli(['audit', '-', '-o', 'json', '--config', 'cfg.yaml', '--fail-on', 'none'], {
      stdin: BAD_POD,
      files: files('exemptions:\n  - namespaces: [tools]\n    names: [deb]\n    containers: [sh]\n    rules: [workload/memory-headroom]\n    reason: debug pods are short-lived\n'),
    });
    const f = json(r.stdout).findings.find((x) => x.rule === 'workload/memory-headroom')!;
    assert.deepEqual(f.suppressed, { reason: 'config exemption: debug pods are short-lived' });
  });

  test('config mistakes are input errors at file:line:col with suggestions', () => {
    const typo = runCli(['audit', '-', '--config', 'cfg.yaml'], { stdin: BAD_POD, files: files('rules:\n  workload/memory-headrom: off\n') });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /cfg\.yaml:2:3: .*no audit rule 'workload\/memory-headrom'; did you mean 'workload\/memory-headroom'/);
    const key = runCli(['audit', '-', '--config', 'cfg.yaml'], { stdin: BAD_POD, files: files('exemptoins: []\nrules: {workload/cpu-limits: loud}\n') });
    assert.equal(key.code, 2);
    assert.match(key.stderr, /cfg\.yaml:1:1: exemptoins: unknown field 'exemptoins'; did you mean 'exemptions'/);
    assert.match(key.stderr, /cfg\.yaml:2:\d+: .*expected "error" \| "warning" \| "info" \| "off", got "loud"/);
    const missing = runCli(['audit', '-', '--config', 'nope.yaml'], { stdin: BAD_POD });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read the audit config nope\.yaml: no such file/);
  });

  test('kuberator.dev/ignore and the peers’ annotations suppress; --disallow-annotation-exemptions refuses them', () => {
    const annotated = BAD_POD.replace('  namespace: tools\n', '  namespace: tools\n  annotations:\n    kuberator.dev/ignore: "workload/memory-headroom: load test"\n    polaris.fairwinds.com/cpuRequestsMissing-exempt: "true"\n    kube-score/ignore: container-resources\n');
    const r = runCli(['audit', '-', '-o', 'json', '--fail-on', 'none'], { stdin: annotated });
    const sup = Object.fromEntries(json(r.stdout).findings.filter((f) => f.suppressed).map((f) => [f.rule, (f.suppressed as { reason: string }).reason]));
    assert.equal(sup['workload/memory-headroom'], 'kuberator.dev/ignore: load test');
    assert.equal(sup['workload/cpu-requests'], 'polaris.fairwinds.com/cpuRequestsMissing-exempt');
    assert.equal(sup['workload/memory-limits'], undefined, 'memory limits are set in this pod');
    assert.equal(sup['workload/cpu-limits'], 'kube-score/ignore: container-resources');
    const strict = runCli(['audit', '-', '-o', 'json', '--fail-on', 'none', '--disallow-annotation-exemptions'], { stdin: annotated });
    assert.equal(json(strict.stdout).findings.filter((f) => f.suppressed).length, 0);
  });
});
