// One test per audit fixture case in test/fixtures/audit/*.yaml (format in test/helpers/audit-fixtures.ts).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AUDIT_CASES, describeAuditFindings, objectName, runAuditCase } from './helpers/audit-fixtures.js';

describe('audit rule fixtures', () => {
  for (const c of AUDIT_CASES) {
    test(c.title, c.todo ? { todo: c.todo } : {}, () => {
      const all = runAuditCase(c).findings;
      const mine = all.filter((f) => f.rule === c.rule && !f.suppressed);
      if (c.expect === 'dont-fire') {
        assert.equal(mine.length, 0, `${c.file} cases[${c.index}]: expected no ${c.rule} finding, got:\n${describeAuditFindings(mine)}`);
        return;
      }
      const match = mine.filter(
        (f) =>
          (c.object === undefined || objectName(f) === c.object) &&
          (c.path === undefined || f.path === c.path) &&
          (c.severity === undefined || f.severity === c.severity) &&
          (c.line === undefined || f.location?.line === c.line),
      );
      const want = [c.severity ?? 'any severity', c.object ?? 'any object', c.path !== undefined ? `at ${c.path}` : 'at any path', c.line !== undefined ? `line ${c.line}` : ''].join(' ');
      assert.ok(match.length > 0, `${c.file} cases[${c.index}]: expected a ${c.rule} finding (${want}), got:\n${describeAuditFindings(mine)}`);
    });
  }
});
