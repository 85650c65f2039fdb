// Runs the real CLI in-process with captured output and files served from memory or disk.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import { writeOutputDir } from '../../src/cli/output-dir.js';

/** The repository root (this file runs from dist/test/helpers/). */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const TODAY = '2026-11-22';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(argv: string[], opts: { files?: Record<string, string>; env?: Record<string, string>; tty?: boolean; today?: string } = {}): CliRun {
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
    today: () => opts.today ?? TODAY,
    env: opts.env ?? {},
    isTTY: opts.tty ?? false,
    writeOutputDir,
  };
  const code = main(argv, io);
  return { code, stdout, stderr };
}

export function readRepoFile(rel: string): string {
  return readFileSync(join(ROOT, rel), 'utf8');
}
