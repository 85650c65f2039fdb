// Golden files for every example: plan text, plan JSON and the resolved spec with its defaults.
// Refresh them with `UPDATE_GOLDEN=1 npm test` after a deliberate change, then review the diff.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT, runCli, TODAY } from './helpers/run-cli.js';

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).sort();
const manifestExamples = readdirSync(join(ROOT, 'examples', 'manifests')).sort();

function golden(rel: string, actual: string): void {
  const path = join(ROOT, 'test/golden', rel);
  if (UPDATE) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(`${path}.tmp`, actual);
    renameSync(`${path}.tmp`, path);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(path, 'utf8');
  } catch {
    assert.fail(`missing golden file test/golden/${rel}; create it with UPDATE_GOLDEN=1 npm test`);
  }
  assert.equal(actual, expected, `output differs from test/golden/${rel} (UPDATE_GOLDEN=1 refreshes it)`);
}

describe('golden output of every example', () => {
  test('there are examples to check', () => assert.ok(examples.length >= 4));
  for (const file of examples) {
    const name = file.replace(/\.yaml$/, '');
    const spec = `examples/${file}`;
    test(`${name}: plan (text)`, () => {
      const r = runCli(['plan', spec, '--date', TODAY, '--fail-on', 'none']);
      assert.equal(r.stderr, '');
      golden(`${name}/plan.txt`, r.stdout);
    });
    test(`${name}: plan (json)`, () => {
      const r = runCli(['plan', spec, '--date', TODAY, '--fail-on', 'none', '--output', 'json']);
      assert.equal(r.stderr, '');
      golden(`${name}/plan.json`, r.stdout);
    });
    test(`${name}: resolved spec with defaults`, () => {
      const r = runCli(['plan', spec, '--date', TODAY, '--show-defaults']);
      golden(`${name}/defaults.yaml`, r.stdout);
    });
  }
});

describe('golden audit output of every manifest example', () => {
  test('there are manifest examples to check', () => assert.ok(manifestExamples.length >= 2));
  for (const name of manifestExamples) {
    const dir = `examples/manifests/${name}`;
    for (const [format, ext] of [['text', 'txt'], ['json', 'json'], ['sarif', 'sarif.json']] as const) {
      test(`${name}: audit (${format})`, () => {
        const r = runCli(['audit', dir, '--date', TODAY, '--kubernetes-version', '1.33', '--fail-on', 'none', '--output', format]);
        assert.equal(r.stderr, '');
        golden(`audit/${name}/audit.${ext}`, r.stdout);
      });
    }
  }
});

describe('golden upgrade runbooks', () => {
  // The production example to the newest minor in the data, with the shop manifests; the
  // existing-VPC example two minors ahead (two hops), without workloads.
  const cases = [
    { name: 'production', argv: ['examples/production.yaml', '--to', '1.36', '--manifests', 'examples/manifests/shop'] },
    { name: 'existing-vpc', argv: ['examples/existing-vpc.yaml', '--to', '1.36'] },
  ];
  for (const c of cases) {
    test(`${c.name}: upgrade plan (markdown)`, () => {
      const r = runCli(['upgrade', 'plan', ...c.argv, '--date', TODAY]);
      assert.equal(r.stderr, '');
      assert.equal(r.code, 0);
      golden(`upgrade/${c.name}.md`, r.stdout);
    });
  }
});
