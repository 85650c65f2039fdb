// The CLI's view of the outside world, injected so tests run the real CLI in-process.
import { readFileSync } from 'node:fs';
import { type WrittenFile, writeOutputDir } from './output-dir.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  /** Today as YYYY-MM-DD (UTC). */
  today(): string;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** Replace a directory with these files (relative path → content), atomically. */
  writeOutputDir(dir: string, files: Record<string, string>, opts: { force: boolean; cluster: string }): WrittenFile[];
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readFile: (p) => readFileSync(p, 'utf8'),
    today: () => new Date().toISOString().slice(0, 10),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    writeOutputDir,
  };
}
