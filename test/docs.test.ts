// Generated docs must match the code: run `npm run docs` after changing rules, the schema or defaults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generatedDocs } from '../src/report/docs.js';
import { specFields } from '../src/report/spec-doc.js';
import { DEFAULTS } from '../src/model/defaults.js';
import { readRepoFile } from './helpers/run-cli.js';
import { findRule } from '../src/rules/index.js';

describe('generated docs are up to date', () => {
  const docs = generatedDocs(readRepoFile('README.md'));
  for (const [rel, expected] of Object.entries(docs)) {
    test(rel, () => assert.equal(readRepoFile(rel), expected, `${rel} is stale: run npm run docs`));
  }
  test('every default documents a real spec field', () => {
    const paths = new Set(specFields().map((f) => f.path.replace(/\[\]/g, '[*]')));
    for (const d of Object.values(DEFAULTS)) assert.ok(paths.has(d.path), `${d.path} is a spec field`);
  });
  test('the README quick start is the two documented commands', () => {
    const readme = readRepoFile('README.md');
    assert.match(readme, /npm ci && npx kuberator plan examples\/production\.yaml/);
    assert.match(readme, /npm ci && npm test/);
  });
});

describe('docs/upgrades.md', () => {
  // Every check code of eksup (../shared/context/anchors-audit-upgrade.md, section 3) must be accounted for.
  const CODES = ['AWS001', 'AWS002', 'AWS003', 'AWS004', 'AWS005', 'EKS001', 'EKS002', 'EKS003', 'EKS004', 'EKS005', 'EKS006', 'EKS007', 'EKS008', 'EKS009', 'EKS010', 'K8S001', 'K8S002', 'K8S003', 'K8S004', 'K8S005', 'K8S006', 'K8S007', 'K8S008', 'K8S009', 'K8S010', 'K8S011', 'K8S012', 'K8S013'];
  test('lists every eksup check with kuberator’s coverage', () => {
    const doc = readRepoFile('docs/upgrades.md');
    for (const code of CODES) assert.match(doc, new RegExp(`^\\| ${code} \\|[^|]+\\|\\s*\\S`, 'm'), code);
  });
  test('every rule it names exists', () => {
    const doc = readRepoFile('docs/upgrades.md');
    const ids = [...doc.matchAll(/`((?:workload|version|network|availability)\/[a-z-]+)`/g)].map((m) => m[1]!).filter((id) => !id.endsWith('/'));
    assert.ok(ids.length > 5);
    for (const id of ids) assert.ok(findRule(id), id);
  });
});
