// Writing a render: every file goes to a temporary sibling directory first, which then replaces
// the output directory in one rename, so a failure never leaves a half-written tree. A directory
// kuberator did not write is refused unless forced, so a typo in --out cannot wipe a repository.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { KuberatorError } from '../errors.js';

export const MARKER = '.kuberator-render.json';

export interface WrittenFile {
  path: string;
  bytes: number;
}

export function writeOutputDir(outDir: string, files: Record<string, string>, opts: { force: boolean; cluster: string }): WrittenFile[] {
  const out = resolve(outDir);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new KuberatorError('KBR-OUT001', `${outDir} exists and is not a directory`);
    const entries = readdirSync(out);
    const ours = entries.includes(MARKER) && markerCluster(join(out, MARKER)) !== undefined;
    if (entries.length > 0 && !ours && !opts.force) {
      throw new KuberatorError('KBR-OUT002', `${outDir} is not empty and was not written by kuberator; choose another --out or pass --force to replace it`);
    }
  }
  const parent = dirname(out);
  mkdirSync(parent, { recursive: true });
  const tmp = join(parent, `.${basename(out)}.kuberator-tmp-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  const written: WrittenFile[] = [];
  try {
    for (const [rel, content] of Object.entries({ ...files, [MARKER]: JSON.stringify({ cluster: opts.cluster, generator: 'kuberator' }, null, 2) + '\n' })) {
      const p = join(tmp, rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, content, { mode: rel.endsWith('.sh') ? 0o755 : 0o644 });
      if (rel !== MARKER) written.push({ path: join(outDir, rel), bytes: Buffer.byteLength(content) });
    }
    const old = existsSync(out) ? `${tmp}-old` : undefined;
    if (old) renameSync(out, old);
    renameSync(tmp, out);
    if (old) rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (e instanceof KuberatorError) throw e;
    throw new KuberatorError('KBR-OUT003', `cannot write ${outDir}: ${(e as Error).message}`);
  }
  return written;
}

function markerCluster(path: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path, 'utf8')) as { cluster?: string }).cluster;
  } catch {
    return undefined;
  }
}
