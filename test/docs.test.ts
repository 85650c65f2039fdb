// Generated docs must match the code: run `npm run docs` after changing rules, the schema or defaults.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { generatedDocs } from '../src/report/docs.js';
import { specFields } from '../src/report/spec-doc.js';
import { DEFAULTS } from '../src/model/defaults.js';
import { readRepoFile } from './helpers/run-cli.js';

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
