// One test per fixture case in test/fixtures/rules/*.yaml (format in test/helpers/fixtures.ts):
// fire-* cases need a finding of their rule (with the stated path and severity), dont-fire-* cases none.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BASE_DOCUMENT, CASES, DEFAULT_DATE, describeFindings, findingsOf, planDocument, runCase } from './helpers/fixtures.js';

describe('base fixture spec', () => {
  test('raises no error and no warning', () => {
    const result = planDocument({ ...BASE_DOCUMENT }, 'base.yaml', DEFAULT_DATE);
    const loud = result.findings.filter((f) => f.severity !== 'info');
    assert.equal(loud.length, 0, `the base spec must be clean so fire cases prove their own change; it raises:\n${describeFindings(loud)}`);
  });
});

describe('rule fixtures', () => {
  for (const c of CASES) {
    test(c.title, c.todo ? { todo: c.todo } : {}, () => {
      const mine = findingsOf(runCase(c), c.rule);
      if (c.expect === 'dont-fire') {
        assert.equal(mine.length, 0, `${c.file} cases[${c.index}]: expected no ${c.rule} finding, got:\n${describeFindings(mine)}`);
        return;
      }
      const match = mine.filter((f) => (c.path === undefined || f.path === c.path) && (c.severity === undefined || f.severity === c.severity));
      const want = [c.severity ?? 'any severity', c.path !== undefined ? `at ${c.path}` : 'at any path'].join(' ');
      assert.ok(match.length > 0, `${c.file} cases[${c.index}]: expected a ${c.rule} finding (${want}), got:\n${describeFindings(mine)}`);
    });
  }
});
