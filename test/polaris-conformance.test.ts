// Conformance with Polaris' own check fixtures (../shared/eval/polaris, not copied into the
// project): each Polaris check maps to the kuberator rules that list it in `equivalents`; every
// success*/failure* fixture of a mapped check is audited with only those rules, and the verdict
// (any finding = failure) must agree with the file name. Every Polaris check is either mapped or
// listed, with a reason, in src/audit/peers.ts.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { auditManifests } from '../src/audit/index.js';
import { POLARIS_NOT_COVERED } from '../src/audit/peers.js';
import { RULES } from '../src/rules/index.js';
import { isWorkloadRule, type WorkloadRule } from '../src/rules/types.js';
import { describeAuditFindings } from './helpers/audit-fixtures.js';
import { DEFAULT_DATE, ROOT } from './helpers/fixtures.js';

const EVAL = join(ROOT, '..', 'shared', 'eval', 'polaris');
const present = existsSync(join(EVAL, 'expectations.tsv'));
const skip = present ? false : `Polaris fixtures not found at ${EVAL}; conformance not checked`;

interface Row {
  check: string;
  file: string;
  expected: 'pass' | 'fail';
}

function rows(): Row[] {
  return readFileSync(join(EVAL, 'expectations.tsv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.split('\t'))
    .filter(([, , e]) => e === 'pass' || e === 'fail')
    .map(([check, file, expected]) => ({ check: check!, file: file!, expected: expected as 'pass' | 'fail' }));
}

export function rulesFor(check: string): WorkloadRule[] {
  return RULES.filter(isWorkloadRule).filter((r) => r.equivalents.includes(`polaris:${check}`));
}

/** Audits one Polaris fixture with the rules mapped to its check; 'fail' when any of them reports. */
export function verdict(row: Row): { got: 'pass' | 'fail'; detail: string } {
  const text = readFileSync(join(EVAL, 'test', 'checks', row.check, row.file), 'utf8');
  const rules = rulesFor(row.check);
  const result = auditManifests([{ file: row.file, text }], { today: DEFAULT_DATE, rules });
  const mine = result.findings.filter((f) => !f.suppressed && rules.some((r) => r.id === f.rule));
  return { got: mine.length ? 'fail' : 'pass', detail: describeAuditFindings(mine) };
}

describe('Polaris conformance', { skip }, () => {
  test('every Polaris check is mapped to a rule or listed as not covered, not both', () => {
    const checks = [...new Set(rows().map((r) => r.check))].filter((c) => c !== 'check');
    const problems: string[] = [];
    for (const c of checks) {
      const mapped = rulesFor(c).length > 0;
      const listed = c in POLARIS_NOT_COVERED;
      if (!mapped && !listed) problems.push(`${c}: neither mapped nor listed`);
      if (mapped && listed) problems.push(`${c}: mapped and also listed as not covered`);
    }
    for (const c of Object.keys(POLARIS_NOT_COVERED)) if (!checks.includes(c)) problems.push(`${c}: listed but not a Polaris check in the fixtures`);
    assert.deepEqual(problems, []);
  });

  test('mapped success/failure fixtures agree with Polaris (≥ 95%)', (t) => {
    const mapped = rows().filter((r) => rulesFor(r.check).length > 0);
    const disagreements: string[] = [];
    for (const r of mapped) {
      const v = verdict(r);
      if (v.got !== r.expected) disagreements.push(`${r.check}/${r.file}: Polaris ${r.expected}, kuberator ${v.got}\n${v.detail}`);
    }
    const agreement = mapped.length ? (mapped.length - disagreements.length) / mapped.length : 1;
    t.diagnostic(`agreement ${(agreement * 100).toFixed(1)}% on ${mapped.length} mapped fixtures (${disagreements.length} disagreements)`);
    for (const d of disagreements) t.diagnostic(d.split('\n')[0]!);
    assert.ok(agreement >= 0.95, `agreement ${(agreement * 100).toFixed(1)}% below 95%:\n${disagreements.join('\n')}`);
  });
});
