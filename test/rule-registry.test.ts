// The rule registry: ids, metadata and fixture coverage of every rule in RULES.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { findRule, RULE_GROUPS, RULES } from '../src/rules/index.js';
import { isWorkloadRule, SEVERITIES, severityRank } from '../src/rules/types.js';
import { AUDIT_CASES, auditFixtureFiles, runAuditCase } from './helpers/audit-fixtures.js';
import { CASES, fixtureFiles, runCase } from './helpers/fixtures.js';

const ID = /^([a-z]+)\/[a-z0-9]+(-[a-z0-9]+)*$/;
const LESSON = /^L(0[1-9]|[1-3][0-9]|4[0-2])$/;
const EQUIVALENT = /^[a-z-]+:[A-Za-z0-9_.\/-]+$/;

/** Audit rules about kuberator's own input rather than a production lesson. */
const INPUT_CHECKS = ['workload/invalid-ignore'];

const dupes = (xs: readonly string[]) => [...new Set(xs.filter((x, i) => xs.indexOf(x) !== i))];

describe('rule registry', () => {
  test('group names are unique and every group has rules', () => {
    assert.deepEqual(dupes(RULE_GROUPS.map((g) => g.name)), []);
    for (const g of RULE_GROUPS) assert.ok(g.rules.length > 0, `group ${g.name} has no rules`);
    assert.equal(RULES.length, RULE_GROUPS.reduce((n, g) => n + g.rules.length, 0));
  });

  test('rule ids are unique and of the form group/kebab-name, in their own group', () => {
    assert.deepEqual(dupes(RULES.map((r) => r.id)), [], 'duplicate rule ids');
    for (const g of RULE_GROUPS) {
      for (const r of g.rules) {
        const m = ID.exec(r.id);
        assert.ok(m, `rule id '${r.id}' is not group/kebab-name`);
        assert.equal(m[1], g.prefix, `rule '${r.id}' is listed in group '${g.name}' (prefix '${g.prefix}')`);
        assert.equal(isWorkloadRule(r), g.scope === 'workload', `rule '${r.id}' has the scope of group '${g.name}'`);
        assert.equal(findRule(r.id), r);
      }
    }
  });

  for (const r of RULES) {
    test(`${r.id}: metadata`, () => {
      assert.ok(SEVERITIES.includes(r.severity), `severity '${r.severity}'`);
      assert.ok(r.title.trim().length > 0, 'title is empty');
      assert.ok(r.why.trim().length > 0, 'why is empty');
      assert.ok(r.fix.trim().length > 0, 'fix is empty');
      assert.ok(r.fix.endsWith('.'), `fix does not end with a period: ${JSON.stringify(r.fix)}`);
      // Plan rules encode lessons; an audit rule may instead be a widely expected check of the peers,
      // or a check of the audit's own input (its ignore annotations).
      assert.ok(r.lessons.length > 0 || (isWorkloadRule(r) && (r.equivalents.length > 0 || INPUT_CHECKS.includes(r.id))), 'no lessons (and, for an audit rule, no equivalents)');
      for (const l of r.lessons) assert.match(l, LESSON);
      assert.deepEqual(dupes(r.lessons), [], 'duplicate lessons');
      for (const e of r.equivalents) assert.match(e, EQUIVALENT);
      assert.deepEqual(dupes(r.equivalents), [], 'duplicate equivalents');
    });
  }
});

describe('rule fixtures cover the registry', () => {
  test('one fixture file per rule group, and no other', () => {
    assert.deepEqual(fixtureFiles(), RULE_GROUPS.filter((g) => g.scope === 'cluster').map((g) => `${g.name}.yaml`).sort());
    assert.deepEqual(auditFixtureFiles(), RULE_GROUPS.filter((g) => g.scope === 'workload').map((g) => `${g.name}.yaml`).sort());
  });

  test('every audit case names an audit rule of its file’s group', () => {
    for (const c of AUDIT_CASES) {
      const r = findRule(c.rule);
      assert.ok(r && isWorkloadRule(r), `${c.file} cases[${c.index}]: no audit rule '${c.rule}'`);
      const g = RULE_GROUPS.find((x) => x.rules.includes(r));
      assert.equal(g?.name, c.group, `${c.file} cases[${c.index}]: rule '${c.rule}' belongs in ${g?.name}.yaml`);
    }
  });

  test('every case names an existing rule of its file’s group', () => {
    for (const c of CASES) {
      const r = findRule(c.rule);
      assert.ok(r, `${c.file} cases[${c.index}]: no rule '${c.rule}'`);
      assert.ok(c.rule.startsWith(`${c.group}/`), `${c.file} cases[${c.index}]: rule '${c.rule}' belongs in ${c.rule.split('/')[0]}.yaml`);
    }
  });

  test('case names are unique per rule', () => {
    assert.deepEqual(dupes([...CASES, ...AUDIT_CASES].map((c) => c.title)), []);
  });

  test('every rule has at least one fire-* and one dont-fire-* case', () => {
    const missing = RULES.flatMap((r) =>
      (['fire', 'dont-fire'] as const).filter((e) => ![...CASES, ...AUDIT_CASES].some((c) => c.rule === r.id && c.expect === e)).map((e) => `${r.id}: no ${e}-* case`),
    );
    assert.deepEqual(missing, []);
  });

  // Rule.severity is documented as the highest severity a rule raises: no finding may exceed it,
  // and the fixtures must show the rule reaching it.
  test('findings never exceed their rule’s severity, and fixtures reach it', () => {
    const highest = new Map<string, number>();
    const over: string[] = [];
    for (const c of CASES) {
      if (c.todo) continue;
      let findings;
      try {
        findings = runCase(c).findings;
      } catch {
        continue; // an invalid case fails in rules.test.ts
      }
      for (const f of findings) {
        const r = findRule(f.rule)!;
        if (severityRank(f.severity) > severityRank(r.severity)) over.push(`${c.title}: ${f.rule} raised ${f.severity} above its declared ${r.severity}`);
        if (f.rule === c.rule && c.expect === 'fire') highest.set(f.rule, Math.max(highest.get(f.rule) ?? 0, severityRank(f.severity)));
      }
    }
    for (const c of AUDIT_CASES) {
      if (c.todo || c.config) continue;
      for (const f of runAuditCase(c).findings) {
        const r = findRule(f.rule)!;
        if (severityRank(f.severity) > severityRank(r.severity)) over.push(`${c.title}: ${f.rule} raised ${f.severity} above its declared ${r.severity}`);
        if (f.rule === c.rule && c.expect === 'fire') highest.set(f.rule, Math.max(highest.get(f.rule) ?? 0, severityRank(f.severity)));
      }
    }
    assert.deepEqual(over, []);
    const unreached = RULES.filter((r) => (highest.get(r.id) ?? 0) < severityRank(r.severity)).map((r) => `${r.id}: no fire case reaches ${r.severity}`);
    assert.deepEqual(unreached, []);
  });
});
