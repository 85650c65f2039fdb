// Runs cfn-guard with the AWS Control Tower proactive rules that @cdklabs/cdk-validator-cfnguard
// ships, against rendered templates, and filters the violations through an exemptions file.
//
// The package ships one rule per file, rules/control-tower/cfn-guard/<service>/ct-<service>-pr-<n>.guard,
// with metadata in rules/control-tower/metadata/<service>/ct-<service>-pr-<n>.metadata.json.
// Each file holds one top-level guard rule (snake_case, e.g. ec2_launch_template_imdsv2_check)
// whose messages start with the Control Tower control id, e.g. [CT.EC2.PR.1]. A violation's
// `rule` is that control id; `guardRule` is the guard rule name.
//
// The binary is invoked the way the package's own plugin does it:
//   cfn-guard validate --rules <rules dir> --data <t1> --data <t2> ... \
//     --output-format json --show-summary none --structured
// Exit code 0 means all compliant, 19 means violations; anything else is an error.
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { arch, platform } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';

export interface GuardViolation {
  /** The template's file name, e.g. `network.template.json`. */
  template: string;
  /** The Control Tower control id, e.g. `CT.EC2.PR.1`. */
  rule: string;
  /** The logical id of the violating resource. */
  resource: string;
  /** The control's description and fix, on one line. */
  message: string;
  /** The guard rule name, e.g. `ec2_launch_template_imdsv2_check`. */
  guardRule: string;
  /** Paths inside the template where the checks failed, e.g. `/Resources/Vol/Properties`. */
  paths: string[];
}

export interface GuardRun {
  violations: GuardViolation[];
  /** cfn-guard's stdout, the JSON report. */
  raw: string;
}

const PACKAGE_DIR = dirname(createRequire(import.meta.url).resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
export const RULES_DIR = join(PACKAGE_DIR, 'rules', 'control-tower', 'cfn-guard');
const METADATA_DIR = join(PACKAGE_DIR, 'rules', 'control-tower', 'metadata');

/** The cfn-guard binary for this machine, as the package lays it out: bin/<ubuntu|macos>/<x86_64|aarch64>/cfn-guard. */
export function guardBinary(): string {
  const os = platform() === 'linux' ? 'ubuntu' : platform() === 'darwin' ? 'macos' : undefined;
  const cpu = arch() === 'x64' ? 'x86_64' : arch() === 'arm64' ? 'aarch64' : undefined;
  if (os === undefined || cpu === undefined) {
    throw new Error(`cfn-guard: @cdklabs/cdk-validator-cfnguard ships no binary for ${platform()}/${arch()} (only linux and darwin on x64 and arm64)`);
  }
  const bin = join(PACKAGE_DIR, 'bin', os, cpu, 'cfn-guard');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    // npm can drop the exec bit when unpacking; restore it.
    try {
      chmodSync(bin, 0o755);
    } catch (e) {
      throw new Error(`cfn-guard: ${bin} is missing or not executable, and chmod failed: ${(e as Error).message}`);
    }
  }
  return bin;
}

function walkFiles(dir: string, suffix: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? walkFiles(join(dir, e.name), suffix) : e.name.endsWith(suffix) ? [join(dir, e.name)] : []))
    .sort();
}

export interface ControlTowerRule {
  /** `CT.EC2.PR.1` */
  id: string;
  /** `ec2_launch_template_imdsv2_check` */
  guardRule: string;
  /** Path of the .guard file. */
  file: string;
  /** The metadata's DisplayName. */
  title: string;
}

let rulesCache: ControlTowerRule[] | undefined;

/** Every Control Tower rule the package ships, one per .guard file. */
export function controlTowerRules(): ControlTowerRule[] {
  if (rulesCache !== undefined) return rulesCache;
  rulesCache = walkFiles(RULES_DIR, '.guard').map((file) => {
    const text = readFileSync(file, 'utf8');
    const top = /^rule (\w+) when is_cfn_template/m.exec(text)?.[1];
    const metaFile = join(METADATA_DIR, basename(dirname(file)), basename(file).replace(/\.guard$/, '.metadata.json'));
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as { Id: string; DisplayName?: string };
    if (top === undefined) throw new Error(`cfn-guard: no top-level rule in ${file}`);
    return { id: meta.Id, guardRule: top, file, title: meta.DisplayName ?? '' };
  });
  return rulesCache;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Finding {
  path: string;
  message: string;
}

/** Every failed check's path in a not_compliant rule tree, with the nearest custom message. */
function collectFindings(node: unknown, message: string, out: Finding[]): void {
  if (Array.isArray(node)) {
    for (const n of node) collectFindings(n, message, out);
    return;
  }
  if (!isObject(node)) return;
  const messages = node['messages'];
  let current = message;
  if (isObject(messages) && typeof messages['custom_message'] === 'string' && messages['custom_message'].trim() !== '') {
    current = messages['custom_message'];
  }
  for (const [key, value] of Object.entries(node)) {
    if (key === 'path' && typeof value === 'string') out.push({ path: value, message: current });
    else if (key !== 'messages') collectFindings(value, current, out);
  }
}

function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join(' ');
}

interface GuardFileReport {
  name: string;
  status: string;
  not_compliant: Array<{ Rule?: { name: string } & Record<string, unknown> }> | Record<string, unknown>;
}

/** Turns cfn-guard's structured JSON report into one violation per template, rule and resource. */
export function parseGuardReport(raw: string, templateNames: Map<string, string>): GuardViolation[] {
  const byGuardRule = new Map(controlTowerRules().map((r) => [r.guardRule, r]));
  const reports = JSON.parse(raw) as GuardFileReport[];
  const violations = new Map<string, GuardViolation>();
  for (const report of reports) {
    const template = templateNames.get(report.name) ?? basename(report.name);
    const failed = Array.isArray(report.not_compliant) ? report.not_compliant : Object.values(report.not_compliant);
    for (const entry of failed) {
      const rule = isObject(entry) && isObject(entry['Rule']) ? (entry['Rule'] as { name: string }) : undefined;
      if (rule === undefined) continue;
      const guardRule = rule.name;
      const findings: Finding[] = [];
      collectFindings(rule, '', findings);
      const known = byGuardRule.get(guardRule);
      // A check can also traverse outside Resources (e.g. into Parameters); only resource paths
      // name a violating resource. A failure with none is reported against the whole template.
      const inResources = findings.filter((f) => f.path.startsWith('/Resources/'));
      const fallback = findings.find((f) => f.message !== '')?.message ?? '';
      for (const f of inResources.length > 0 ? inResources : [{ path: '', message: fallback }]) {
        const resource = /^\/Resources\/([^/]+)/.exec(f.path)?.[1] ?? '';
        const message = oneLine(f.message) || (known ? `[${known.id}]: ${known.title}` : guardRule);
        const id = known?.id ?? /\[(CT\.[A-Z0-9-]+\.PR\.\d+)\]/.exec(message)?.[1] ?? guardRule;
        const key = `${template}\0${id}\0${resource}`;
        const existing = violations.get(key);
        if (existing) {
          if (f.path !== '' && !existing.paths.includes(f.path)) existing.paths.push(f.path);
        } else {
          violations.set(key, { template, rule: id, resource, message, guardRule, paths: f.path === '' ? [] : [f.path] });
        }
      }
    }
  }
  return [...violations.values()].sort((a, b) => a.template.localeCompare(b.template) || a.rule.localeCompare(b.rule, 'en', { numeric: true }) || a.resource.localeCompare(b.resource));
}

/**
 * Runs every Control Tower rule against every `*.template.json` directly in `templateDir`.
 * Throws (with cfn-guard's stderr) if the binary cannot run or reports an error.
 */
export function runCfnGuard(templateDir: string): GuardRun {
  const dir = resolve(templateDir);
  const templates = readdirSync(dir)
    .filter((f) => f.endsWith('.template.json') && statSync(join(dir, f)).isFile())
    .sort();
  if (templates.length === 0) throw new Error(`cfn-guard: no *.template.json files in ${dir}`);
  const names = new Map(templates.map((t) => [join(dir, t), t]));
  const bin = guardBinary();
  const args = [
    'validate',
    '--rules',
    RULES_DIR,
    ...templates.flatMap((t) => ['--data', join(dir, t)]),
    '--output-format',
    'json',
    '--show-summary',
    'none',
    '--structured',
  ];
  const proc = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (proc.error) throw new Error(`cfn-guard: could not run ${bin}: ${proc.error.message}`);
  if (proc.status !== 0 && proc.status !== 19) {
    const how = proc.status === null ? `signal ${proc.signal}` : `exit code ${proc.status}`;
    throw new Error(`cfn-guard failed with ${how}: ${bin} ${args.join(' ')}\n${proc.stderr.trim()}`);
  }
  const raw = proc.stdout;
  let violations: GuardViolation[];
  try {
    violations = parseGuardReport(raw, names);
  } catch (e) {
    throw new Error(`cfn-guard: could not parse its JSON report (${(e as Error).message}); output began: ${raw.slice(0, 500)}`);
  }
  if (proc.status === 19 && violations.length === 0) throw new Error(`cfn-guard reported failures but none could be parsed; output began: ${raw.slice(0, 500)}`);
  return { violations, raw };
}

export interface Exemption {
  /** Control Tower id (`CT.EC2.PR.7`) or guard rule name (`ec2_encrypted_volumes_check`). */
  rule: string;
  /** Logical id or glob, e.g. `NodeGroup*`. */
  resource: string;
  /** Optional glob on the template file name, e.g. `cluster*.template.json`. */
  template?: string;
  reason: string;
}

/** `*` matches any run of characters, `?` one character; everything else is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Reads and validates an exemptions file: `exemptions: [{ rule, resource, template?, reason }]`. */
export function loadExemptions(file: string): Exemption[] {
  const doc: unknown = parse(readFileSync(file, 'utf8'));
  if (!isObject(doc) || !Array.isArray(doc['exemptions'])) throw new Error(`${file}: expected a top-level 'exemptions' list`);
  return doc['exemptions'].map((e: unknown, i: number) => {
    const where = `${file}: exemptions[${i}]`;
    if (!isObject(e)) throw new Error(`${where}: expected a mapping`);
    for (const key of Object.keys(e)) {
      if (!['rule', 'resource', 'template', 'reason'].includes(key)) throw new Error(`${where}: unknown key '${key}'`);
    }
    for (const key of ['rule', 'resource', 'reason'] as const) {
      if (typeof e[key] !== 'string' || (e[key] as string).trim() === '') throw new Error(`${where}: '${key}' is required and must be a non-empty string`);
    }
    if (e['template'] !== undefined && (typeof e['template'] !== 'string' || e['template'].trim() === '')) throw new Error(`${where}: 'template' must be a non-empty string`);
    const ex: Exemption = { rule: e['rule'] as string, resource: e['resource'] as string, reason: e['reason'] as string };
    if (typeof e['template'] === 'string') ex.template = e['template'];
    return ex;
  });
}

export function exemptionMatches(ex: Exemption, v: GuardViolation): boolean {
  return (
    (ex.rule === v.rule || ex.rule === v.guardRule) &&
    globToRegExp(ex.resource).test(v.resource) &&
    (ex.template === undefined || globToRegExp(ex.template).test(v.template))
  );
}

/**
 * Drops the violations an exemption covers. Returns the rest, and the exemptions that matched
 * nothing (stale: the violation they excused is gone, so they should be removed). Pass the
 * violations of every template the exemptions file covers, or stale detection is meaningless.
 */
export function applyExemptions(violations: GuardViolation[], exemptions: string | Exemption[]): { violations: GuardViolation[]; stale: Exemption[] } {
  const list = typeof exemptions === 'string' ? loadExemptions(exemptions) : exemptions;
  const used = new Set<Exemption>();
  const remaining = violations.filter((v) => {
    const matching = list.filter((ex) => exemptionMatches(ex, v));
    for (const ex of matching) used.add(ex);
    return matching.length === 0;
  });
  return { violations: remaining, stale: list.filter((ex) => !used.has(ex)) };
}

/** One line per violation, for assertion messages. */
export function formatViolations(violations: GuardViolation[]): string {
  return violations.map((v) => `${v.template}: ${v.resource || '(template)'}: ${v.rule} (${v.guardRule}): ${v.message}`).join('\n');
}
