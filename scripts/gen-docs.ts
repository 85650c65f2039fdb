// Regenerates the docs that come from the code: docs/rules.md, docs/audit.md, docs/spec.md, docs/cluster.schema.json
// and the spec reference inside README.md. Run with `npm run docs`; test/docs.test.ts fails when stale.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedDocs } from '../src/report/docs.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
for (const [rel, text] of Object.entries(generatedDocs(readme))) {
  writeAtomic(join(root, rel), text);
  console.log(`wrote ${rel}`);
}
