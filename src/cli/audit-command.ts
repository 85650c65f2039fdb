// `kuberator audit`: manifests (files, directories, `-` for stdin) or a live cluster, judged by the
// workload rules, printed as text, JSON, SARIF or JUnit.
import { auditObjects, type AuditConfig, defaultAuditConfig, loadManifests, parseAuditConfig } from '../audit/index.js';
import type { AuditInput } from '../audit/engine.js';
import { KuberatorError, SpecError, type SpecIssue } from '../errors.js';
import { plan } from '../plan.js';
import { auditJson, auditJunit, auditSarif, auditText } from '../report/audit.js';
import { RULES } from '../rules/index.js';
import { isWorkloadRule, type Severity, severityRank } from '../rules/types.js';
import { didYouMean } from '../util/suggest.js';
import { VERSION } from '../version.js';
import { type CommandSpec, planDate, readSpec } from './commands.js';
import type { ResolvedCluster } from '../model/types.js';
import type { CliIo } from './io.js';
import { includeSystemOption, liveClusterOptions } from './options.js';

export const DEFAULT_CONFIG_FILE = '.kuberator.yaml';

/** The config named by --config, else ./.kuberator.yaml when present, else the defaults. Unknown rule ids are input errors. */
export function loadConfig(path: string | undefined, io: CliIo): AuditConfig {
  const file = path ?? (io.exists(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (file === undefined) return defaultAuditConfig();
  let text: string;
  try {
    text = io.readFile(file);
  } catch (e) {
    throw new KuberatorError('KBR-AUDIT002', `cannot read the audit config ${file}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const { config, source } = parseAuditConfig(text, file);
  const ids = RULES.filter(isWorkloadRule).map((r) => r.id);
  const issues: SpecIssue[] = [];
  const unknown = (id: string, path: string) => {
    if (!ids.includes(id)) issues.push({ path, message: `no audit rule '${id}'${didYouMean(id, ids)}`, location: source.locate(path) });
  };
  for (const id of Object.keys(config.severities)) unknown(id, `rules[${JSON.stringify(id)}]`);
  config.exemptions.forEach((e, i) => e.rules?.forEach((id, j) => unknown(id, `exemptions[${i}].rules[${j}]`)));
  if (issues.length) throw new SpecError(file, issues);
  return config;
}

/** Files and directories as given; `-` reads standard input once. */
export function readInputs(paths: readonly string[], io: CliIo): Array<{ file: string; text: string }> {
  return paths.flatMap((p) => {
    if (p === '-') return [{ file: '(stdin)', text: io.readStdin() }];
    try {
      return io.readTree(p);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new KuberatorError('KBR-AUDIT003', `cannot read ${p}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`);
    }
  });
}

export const auditCommand: CommandSpec = {
  name: 'audit',
  summary: 'Check workload manifests or a live cluster for production readiness',
  args: ['[paths...]'],
  options: [
    { flags: '--live', description: 'audit the cluster of the current kubeconfig context instead of files' },
    ...liveClusterOptions,
    { flags: '-n, --namespace <ns>', description: 'with --live: only this namespace' },
    includeSystemOption,
    { flags: '--spec <spec>', description: 'the cluster spec: its Kubernetes version and node roles' },
    { flags: '--kubernetes-version <minor>', description: 'target version for API checks (default: the spec’s, the live server’s, or the newest supported)' },
    { flags: '--config <file>', description: `audit config (default: ./${DEFAULT_CONFIG_FILE} when present)` },
    { flags: '--disallow-annotation-exemptions', description: 'ignore kuberator.dev/ignore and the peers’ ignore annotations' },
    { flags: '-o, --output <format>', description: 'output format', choices: ['text', 'json', 'sarif', 'junit'], default: 'text' },
    { flags: '--fail-on <severity>', description: 'exit 1 when a finding is at or above this severity', choices: ['error', 'warning', 'info', 'none'], default: 'error' },
    { flags: '--date <YYYY-MM-DD>', description: 'date for support windows (default: today)' },
  ],
  run([paths], opts, io) {
    const files = (paths as unknown as string[] | undefined) ?? [];
    const live = Boolean(opts.live);
    if (live && files.length) throw new KuberatorError('KBR-AUDIT004', 'give either paths or --live, not both');
    if (!live && !files.length) throw new KuberatorError('KBR-AUDIT004', 'audit needs paths to manifests (a file, a directory, or - for standard input), or --live');
    if (!live) for (const k of ['kubeconfig', 'context', 'namespace', 'includeSystem'] as const) if (opts[k] !== undefined) throw new KuberatorError('KBR-AUDIT004', `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies only with --live`);
    const today = planDate(opts, io);

    const config = loadConfig(opts.config as string | undefined, io);
    if (opts.disallowAnnotationExemptions) config.annotationExemptions = false;
    const cluster = typeof opts.spec === 'string' ? plan(readSpec(opts.spec, io), opts.spec, { today, rules: [] }).model : undefined;
    const version = opts.kubernetesVersion as string | undefined;
    const finish = (input: AuditInput, source: string, serverMinor?: string) => report(input, source, { today, config, cluster, version: version ?? (cluster ? undefined : serverMinor) }, opts, io);

    if (!live) {
      const texts = readInputs(files, io);
      return finish(loadManifests(texts), `${texts.length} file${texts.length === 1 ? '' : 's'}`);
    }
    // The Kubernetes client loads only on this path.
    return import('../audit/live.js').then(async ({ readLiveObjects }) => {
      const read = await readLiveObjects({
        ...(typeof opts.kubeconfig === 'string' ? { kubeconfig: opts.kubeconfig } : {}),
        ...(typeof opts.context === 'string' ? { context: opts.context } : {}),
        ...(typeof opts.namespace === 'string' ? { namespace: opts.namespace } : {}),
        includeSystem: Boolean(opts.includeSystem),
      });
      for (const w of read.warnings) io.stderr(`warning: ${w}\n`);
      return finish({ objects: read.objects, malformed: [] }, `context ${read.context} (Kubernetes ${read.server.gitVersion})`, read.server.minor);
    });
  },
};

function report(input: AuditInput, source: string, o: { today: string; config: AuditConfig; cluster: ResolvedCluster | undefined; version: string | undefined }, opts: Record<string, unknown>, io: CliIo): number {
  const { today, config, cluster, version } = o;
  const failOn = opts.failOn as Severity | 'none';
  const result = auditObjects(input, { today, config, ...(cluster ? { cluster } : {}), ...(version !== undefined ? { kubernetesVersion: version } : {}), recordChecks: opts.output === 'junit' });
  const color = io.isTTY && io.env.NO_COLOR === undefined;
  switch (opts.output) {
    case 'json':
      io.stdout(JSON.stringify(auditJson(result), null, 2) + '\n');
      break;
    case 'sarif':
      io.stdout(JSON.stringify(auditSarif(result, { cwd: io.cwd(), version: VERSION }), null, 2) + '\n');
      break;
    case 'junit':
      io.stdout(auditJunit(result, failOn));
      break;
    default:
      io.stdout(auditText(result, { color, source }));
  }
  if (failOn === 'none') return 0;
  return result.findings.some((f) => !f.suppressed && severityRank(f.severity) >= severityRank(failOn)) ? 1 : 0;
}
