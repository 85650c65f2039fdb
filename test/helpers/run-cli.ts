// Runs the real CLI in-process with captured output and files served from memory or disk.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { readTree, writeFileAtomic } from '../../src/cli/io.js';
import { writeOutputDir } from '../../src/cli/output-dir.js';

/** The repository root (this file runs from dist/test/helpers/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TODAY = '2026-11-22';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(argv: string[], opts: { files?: Record<string, string>; env?: Record<string, string>; tty?: boolean; today?: string; stdin?: string } = {}): CliRun {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readFile: (p) => {
      const mem = opts.files?.[p];
      if (mem !== undefined) return mem;
      return readFileSync(p.startsWith('/') ? p : join(ROOT, p), 'utf8');
    },
    readStdin: () => opts.stdin ?? '',
    cwd: () => ROOT,
    exists: (p) => opts.files?.[p] !== undefined || existsSync(p.startsWith('/') ? p : join(ROOT, p)),
    today: () => opts.today ?? TODAY,
    env: opts.env ?? {},
    isTTY: opts.tty ?? false,
    writeOutputDir,
    writeFile: writeFileAtomic,
    readTree: (p) => readTree(p.startsWith('/') ? p : join(ROOT, p)).map((f) => ({ ...f, file: f.file.startsWith(ROOT) ? f.file.slice(ROOT.length) : f.file })),
  };
  const code = main(argv, io);
  if (typeof code !== 'number') throw new Error(`${argv[0]} is asynchronous: use runCliAsync`);
  return { code, stdout, stderr };
}

/** The same for commands that call AWS (they return a promise). */
export async function runCliAsync(argv: string[], opts: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readFile: (p) => readFileSync(p.startsWith('/') ? p : join(ROOT, p), 'utf8'),
    readStdin: () => opts.stdin ?? '',
    cwd: () => ROOT,
    exists: (p) => existsSync(p.startsWith('/') ? p : join(ROOT, p)),
    today: () => TODAY,
    env: opts.env ?? {},
    isTTY: false,
    writeOutputDir,
    writeFile: writeFileAtomic,
    readTree: (p) => readTree(p),
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

export function readRepoFile(rel: string): string {
  return readFileSync(join(ROOT, rel), 'utf8');
}
