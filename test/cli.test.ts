import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { stringify } from 'yaml';
import { largeSpec } from './helpers/large-spec.js';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readRepoFile, ROOT, runCli, TODAY } from './helpers/run-cli.js';

const MIN = 'apiVersion: kuberator.dev/v1alpha1\nkind: Cluster\nmetadata:\n  name: demo\nspec:\n  region: us-east-1\n  kubernetesVersion: "1.35"\n';

describe('kuberator plan: exit codes', () => {
  test('production example: no errors, exit 0', () => {
    const r = runCli(['plan', 'examples/production.yaml', '--date', TODAY]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Findings {2}0 errors/);
  });
  test('field mistakes: errors, exit 1; --fail-on none: exit 0', () => {
    assert.equal(runCli(['plan', 'examples/field-mistakes.yaml', '--date', TODAY]).code, 1);
    assert.equal(runCli(['plan', 'examples/field-mistakes.yaml', '--date', TODAY, '--fail-on', 'none']).code, 0);
  });
  test('--fail-on warning catches warnings the default lets through', () => {
    const files = { 'm.yaml': MIN };
    assert.equal(runCli(['plan', 'm.yaml'], { files }).code, 0);
    assert.equal(runCli(['plan', 'm.yaml', '--fail-on', 'warning'], { files }).code, 1);
  });
  test('a suppressed finding does not fail the run and stays in JSON, marked', () => {
    const files = { 'm.yaml': MIN + '  ignore:\n    - rule: security/endpoint-open\n      reason: reached over VPN only\n    - rule: nodes/no-system-group\n      reason: default group is fine here\n' };
    const r = runCli(['plan', 'm.yaml', '--fail-on', 'warning', '-o', 'json'], { files });
    assert.equal(r.code, 0, r.stdout);
    const json = JSON.parse(r.stdout) as { findings: Array<{ rule: string; suppressed?: { reason: string } }>; summary: { suppressed: number } };
    assert.deepEqual(json.findings.find((f) => f.rule === 'security/endpoint-open')?.suppressed, { reason: 'reached over VPN only' });
    assert.equal(json.summary.suppressed, 2);
  });
  test('ignoring a rule that does not exist is an input error with a suggestion', () => {
    const r = runCli(['plan', 'm.yaml'], { files: { 'm.yaml': MIN + '  ignore:\n    - rule: security/endpoint-opn\n      reason: typo\n' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /m\.yaml:9:\d+: spec\.ignore\[0\]\.rule: no rule 'security\/endpoint-opn'; did you mean 'security\/endpoint-open'\?/);
  });
  test('an ignore without a reason is rejected', () => {
    const r = runCli(['plan', 'm.yaml'], { files: { 'm.yaml': MIN + '  ignore:\n    - rule: nodes/burstable\n' } });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /spec\.ignore\[0\]\.reason: is required/);
  });
});

describe('kuberator: input and usage errors exit 2 without a stack trace', () => {
  const cases: Array<[string, string[], RegExp]> = [
    ['missing file', ['plan', 'nope.yaml'], /cannot read nope\.yaml: no such file/],
    ['a directory', ['plan', 'examples'], /it is a directory/],
    ['bad date', ['plan', 'examples/minimal.yaml', '--date', '2026-02-30'], /--date expects a calendar date/],
    ['unknown option', ['plan', 'examples/minimal.yaml', '--colour'], /unknown option '--colour'/],
    ['bad choice', ['plan', 'examples/minimal.yaml', '--fail-on', 'fatal'], /Allowed choices are error, warning, info, none/],
    ['unknown command', ['plna'], /unknown command 'plna'/],
    ['no command', [], /Usage: kuberator/],
    ['unknown rule', ['explain', 'nodes/burstible'], /no rule 'nodes\/burstible'; did you mean 'nodes\/burstable'\?/],
  ];
  for (const [name, argv, message] of cases) {
    test(name, () => {
      const r = runCli(argv);
      assert.equal(r.code, 2);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  }
  test('a bad spec lists every problem as file:line:col', () => {
    const r = runCli(['plan', 'bad.yaml'], { files: { 'bad.yaml': MIN.replace('us-east-1', 'us-east-9') + '  nodeGroups:\n    - name: a\n      instanceTypes: [m5.lrge]\n      minSize: 3\n      maxSize: 1\n' } });
    assert.equal(r.code, 2);
    assert.deepEqual(r.stderr.trim().split('\n'), [
      "bad.yaml:6:3: spec.region: unknown region 'us-east-9'; did you mean 'us-east-1' or 'us-east-2' or 'ap-east-1'?",
      "bad.yaml:10:23: spec.nodeGroups[0].instanceTypes[0]: unknown instance type 'm5.lrge'; did you mean 'm5.large' or 'c5.large' or 'm1.large'?",
      'bad.yaml:12:7: spec.nodeGroups[0].maxSize: must be ≥ minSize (3), got 1',
      '3 problems in bad.yaml',
    ]);
  });
});

describe('kuberator: other commands and output', () => {
  test('--show-defaults output is a valid spec that plans to the same result', () => {
    const first = runCli(['plan', 'examples/production.yaml', '--date', TODAY, '--show-defaults']);
    assert.equal(first.code, 0);
    assert.match(first.stdout, /# default \(L11\)/);
    const again = runCli(['plan', 'resolved.yaml', '--date', TODAY, '-o', 'json', '--fail-on', 'none'], { files: { 'resolved.yaml': first.stdout } });
    const orig = runCli(['plan', 'examples/production.yaml', '--date', TODAY, '-o', 'json', '--fail-on', 'none']);
    assert.equal(again.code, 0, again.stderr);
    const a = JSON.parse(again.stdout) as { cluster: unknown; findings: Array<{ rule: string; message: string }>; defaults: unknown[] };
    const o = JSON.parse(orig.stdout) as typeof a;
    assert.deepEqual(a.cluster, o.cluster);
    assert.deepEqual(a.findings.map((f) => [f.rule, f.message]), o.findings.map((f) => [f.rule, f.message]));
    assert.deepEqual(a.defaults, [], 'nothing is left to default');
  });
  test('validate says valid and runs no rules', () => {
    const r = runCli(['validate', 'examples/field-mistakes.yaml', '--date', TODAY]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /valid \(3 node groups/);
  });
  test('schema is a strict JSON Schema of the spec', () => {
    const r = runCli(['schema']);
    const schema = JSON.parse(r.stdout) as { additionalProperties: boolean; properties: Record<string, unknown>; required: string[] };
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required.sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
  });
  test('rules lists every rule; JSON carries metadata without the check', () => {
    const text = runCli(['rules']).stdout;
    assert.match(text, /network\/single-nat\s+warning\s+L02,L19/);
    const json = JSON.parse(runCli(['rules', '-o', 'json']).stdout) as Array<Record<string, unknown>>;
    assert.ok(json.length >= 30);
    assert.ok(json.every((r) => typeof r.id === 'string' && Array.isArray(r.lessons) && !('check' in r)));
  });
  test('explain prints why and fix', () => {
    const r = runCli(['explain', 'nodes/burstable']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^nodes\/burstable {2}\(warning; lessons L06\)/);
    assert.match(r.stdout, /Fix: /);
  });
  test('colour only on a terminal, and never with NO_COLOR', () => {
    const esc = /\u001b\[/;
    assert.doesNotMatch(runCli(['plan', 'examples/minimal.yaml']).stdout, esc);
    assert.match(runCli(['plan', 'examples/minimal.yaml'], { tty: true }).stdout, esc);
    assert.doesNotMatch(runCli(['plan', 'examples/minimal.yaml'], { tty: true, env: { NO_COLOR: '1' } }).stdout, esc);
  });
  test('output into a closed pipe ends quietly, without a stack trace', () => {
    const bin = join(ROOT, (JSON.parse(readRepoFile('package.json')) as { bin: { kuberator: string } }).bin.kuberator);
    // Larger than a pipe's buffer, so the writer is still writing when the reader leaves.
    const spec = join(mkdtempSync(join(tmpdir(), 'kbr-pipe-')), 'large.yaml');
    writeFileSync(spec, stringify(largeSpec()));
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${bin}" plan "${spec}" --date ${TODAY} -o json --fail-on none | head -c 20 >/dev/null; echo "status=\${PIPESTATUS[0]}" >&2`], { cwd: ROOT, encoding: 'utf8' });
    assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /);
    assert.match(r.stderr, /status=0/);
  });
  test('the bundle loads heavy libraries only on the commands that need them', () => {
    const bin = readRepoFile((JSON.parse(readRepoFile('package.json')) as { bin: { kuberator: string } }).bin.kuberator);
    // A static import of these at the top of the bundle would load them for every command.
    for (const heavy of ['@aws-sdk/', 'aws-cdk-lib', 'javascript-lp-solver']) {
      assert.doesNotMatch(bin, new RegExp(`(from|import)\\s*"${heavy}`), `${heavy} is imported statically`);
    }
  });
  test('the package bin (the bundle) runs as a process', () => {
    const bin = join(ROOT, (JSON.parse(readRepoFile('package.json')) as { bin: { kuberator: string } }).bin.kuberator);
    const r = spawnSync(process.execPath, [bin, 'plan', 'examples/field-mistakes.yaml', '--date', TODAY, '-o', 'json'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(r.status, 1, r.stderr);
    const json = JSON.parse(r.stdout) as { summary: { errors: number } };
    assert.ok(json.summary.errors > 0);
    const bad = spawnSync(bin, ['plan', 'missing.yaml'], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.equal(bad.stderr, 'error: cannot read missing.yaml: no such file\n');
  });
});
