// Builds kustomize trees with the real kubectl (its bundled kustomize), and finds them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The kubectl to run: $KUBECTL when set, otherwise the one on PATH. */
export const KUBECTL = process.env.KUBECTL || 'kubectl';

export interface KustomizeResult {
  ok: boolean;
  /** The built multi-document YAML (empty when the build failed). */
  output: string;
  /** Why the build failed: kubectl's stderr, or the reason it could not run or finish. */
  error: string;
}

/** `kubectl kustomize <dir>`, with a 60 s limit. */
export function kustomizeBuild(dir: string): KustomizeResult {
  const r = spawnSync(KUBECTL, ['kustomize', dir], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout = r.stdout ?? '';
  const stderr = (r.stderr ?? '').trim();
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? `${KUBECTL} not found (install kubectl or set KUBECTL)` : code === 'ETIMEDOUT' ? 'timed out after 60 s' : r.error.message;
    return { ok: false, output: '', error: `kubectl kustomize ${dir}: ${why}${stderr ? `\n${stderr}` : ''}` };
  }
  if (r.status !== 0) {
    const how = r.signal ? `killed by ${r.signal}` : `exit ${r.status}`;
    return { ok: false, output: '', error: `kubectl kustomize ${dir}: ${how}${stderr ? `\n${stderr}` : ''}` };
  }
  return { ok: true, output: stdout, error: stderr };
}

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Every directory under root (root included) that holds a kustomization file, sorted. */
export function kustomizationDirs(root: string): string[] {
  const found: string[] = [];
  const visit = (dir: string) => {
    if (KUSTOMIZATION_FILES.some((f) => existsSync(join(dir, f)))) found.push(dir);
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && e.name !== 'node_modules' && e.name !== '.git') visit(join(dir, e.name));
    }
  };
  visit(root);
  return found.sort();
}
