// The CLI's view of the outside world, injected so tests run the real CLI in-process.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type WrittenFile, writeOutputDir } from './output-dir.js';

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readFile(path: string): string;
  /** All of standard input (for `-` arguments). */
  readStdin(): string;
  /** The working directory (SARIF paths are relative to it). */
  cwd(): string;
  /** Whether a file exists (for optional config files). */
  exists(path: string): boolean;
  /** Today as YYYY-MM-DD (UTC). */
  today(): string;
  env: Record<string, string | undefined>;
  isTTY: boolean;
  /** Write one file atomically (temporary file, then rename), creating its directory. */
  writeFile(path: string, content: string): void;
  /** A manifest file, or every .yaml/.yml/.json file below a directory, sorted. */
  readTree(path: string): Array<{ file: string; text: string }>;
  /** Replace a directory with these files (relative path → content), atomically. */
  writeOutputDir(dir: string, files: Record<string, string>, opts: { force: boolean; cluster: string }): WrittenFile[];
}

export function processIo(): CliIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    readFile: (p) => readFileSync(p, 'utf8'),
    readStdin: () => readFileSync(0, 'utf8'),
    cwd: () => process.cwd(),
    exists: (p) => existsSync(p),
    today: () => new Date().toISOString().slice(0, 10),
    env: process.env,
    isTTY: Boolean(process.stdout.isTTY),
    writeOutputDir,
    readTree,
    writeFile: writeFileAtomic,
  };
}

export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, content);
  renameSync(tmp, path);
}

export function readTree(path: string): Array<{ file: string; text: string }> {
  if (!statSync(path).isDirectory()) return [{ file: path, text: readFileSync(path, 'utf8') }];
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) => (e.isDirectory() ? readTree(join(path, e.name)) : /\.(ya?ml|json)$/.test(e.name) ? [{ file: join(path, e.name), text: readFileSync(join(path, e.name), 'utf8') }] : []));
}
