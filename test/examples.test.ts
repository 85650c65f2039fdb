import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { plan } from '../src/plan.js';
import { readRepoFile, ROOT, TODAY } from './helpers/run-cli.js';

describe('examples', () => {
  for (const f of readdirSync(join(ROOT, 'examples')).filter((x) => x.endsWith('.yaml'))) {
    test(`${f} parses, resolves and names the schema for editors`, () => {
      const text = readRepoFile(`examples/${f}`);
      assert.match(text.split('\n')[0]!, /^# yaml-language-server: \$schema=\.\.\/docs\/cluster\.schema\.json$/);
      plan(text, f, { today: TODAY });
    });
  }
  test('production plans with zero errors and zero warnings', () => {
    const r = plan(readRepoFile('examples/production.yaml'), 'production.yaml', { today: TODAY });
    assert.deepEqual([r.summary.errors, r.summary.warnings], [0, 0], r.findings.map((x) => `${x.rule}: ${x.message}`).join('\n'));
    assert.equal(r.model.region, 'eu-west-1');
    assert.deepEqual(r.model.nodeGroups.map((g) => [g.name, g.role, g.capacity]), [
      ['system', 'system', 'onDemand'],
      ['apps', 'app', 'mixed'],
      ['data', 'stateful', 'onDemand'],
    ]);
  });
  test('field mistakes trigger at least 12 distinct rules', () => {
    const r = plan(readRepoFile('examples/field-mistakes.yaml'), 'field-mistakes.yaml', { today: TODAY });
    const rules = new Set(r.findings.map((f) => f.rule));
    assert.ok(rules.size >= 12, `only ${rules.size}: ${[...rules].join(', ')}`);
    for (const expected of ['nodes/burstable', 'network/single-nat', 'availability/zones', 'network/subnet-too-small', 'spot/system-on-spot', 'spot/max-price-below-on-demand', 'kubelet/reservations-removed']) {
      assert.ok(rules.has(expected), `${expected} fires`);
    }
  });
});
