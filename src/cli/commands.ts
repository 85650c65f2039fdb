// Every command in one table: name, arguments, options, and the function that runs it.
// Handlers return an exit code; they print only through the injected io.
import { dirname, isAbsolute, join } from 'node:path';
import { type RightSizing, rightSize } from '../cost/rightsize.js';
import { KuberatorError, SpecError } from '../errors.js';
import { parseWorkloads } from '../workloads/manifests.js';
import { priceCacheDir, regions, unknownRegionMessage } from '../facts/index.js';
import { plan, type PlanResult } from '../plan.js';
import { costCompare, costJson, costText, rightSizingText } from '../report/cost.js';
import { defaultsYaml } from '../report/defaults-yaml.js';
import { jsonSchema } from '../report/docs.js';
import { planJson } from '../report/json.js';
import { planText } from '../report/text.js';
import { rulesJson, rulesText, explainText } from '../report/rules.js';
import { findRule, RULES } from '../rules/index.js';
import { type Severity, severityRank } from '../rules/types.js';
import { didYouMean } from '../util/suggest.js';
import { renderFiles } from '../render/index.js';
import { formatNumber } from '../util/format.js';
import type { CliIo } from './io.js';
import { auditCommand } from './audit-command.js';
import { spotHandlerCommand } from './spot-handler-command.js';
import { discoveryBridgeCommand, discoveryDeregisterCommand, discoveryListCommand, discoveryRegisterCommand } from './discovery-command.js';
import { upgradeCommand } from './upgrade-command.js';
import { dateOption, type OptionSpec } from './options.js';

export type FailOn = Severity | 'none';

export interface CommandSpec {
  /** `plan`, or a group and its subcommand: `upgrade plan` (the group's summary is in GROUPS). */
  name: string;
  summary: string;
  args: string[];
  options: OptionSpec[];
  run(args: string[], opts: Record<string, unknown>, io: CliIo): number | Promise<number>;
}

const failOnOption = { flags: '--fail-on <severity>', description: 'exit 1 when a finding is at or above this severity', choices: ['error', 'warning', 'info', 'none'], default: 'error' };

export function exitCodeFor(r: PlanResult, failOn: FailOn): number {
  if (failOn === 'none') return 0;
  const limit = severityRank(failOn);
  return r.findings.some((f) => !f.suppressed && severityRank(f.severity) >= limit) ? 1 : 0;
}

export function planDate(opts: Record<string, unknown>, io: CliIo): string {
  const d = opts.date as string | undefined;
  if (d === undefined) return io.today();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`)) || new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10) !== d) {
    throw new KuberatorError('KBR-CLI001', `--date expects a calendar date as YYYY-MM-DD, got '${d}'`);
  }
  return d;
}

export function readSpec(path: string, io: CliIo): string {
  try {
    return io.readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory, not a spec file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new KuberatorError('KBR-CLI002', `cannot read ${path}: ${why}`);
  }
}

/** Reads manifest paths; relative ones are taken from the spec file's directory (spec.workloads.manifests) or as given. */
export function manifestReader(specFile: string | undefined, io: CliIo): (paths: string[]) => Array<{ file: string; text: string }> {
  return (paths) =>
    paths.flatMap((p) => {
      const full = isAbsolute(p) || specFile === undefined ? p : join(dirname(specFile), p);
      try {
        return io.readTree(full);
      } catch (e) {
        throw new KuberatorError('KBR-CLI005', `cannot read manifests at ${full}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      }
    });
}

/** Workloads from manifests, right-sized against the plan; unreadable or malformed input is an input error. */
function rightSizeFrom(r: PlanResult, files: Array<{ file: string; text: string }>): RightSizing[] {
  const { workloads, issues } = parseWorkloads(files);
  if (issues.length) throw new SpecError(files[0]?.file ?? '(manifests)', issues);
  return rightSize(r.model, r.capacity, workloads);
}

/** Commands that only hold subcommands, with their summaries. */
export const GROUPS: Record<string, string> = {
  upgrade: 'Plan Kubernetes upgrades (upgrade plan)',
  discovery: 'Register services outside Kubernetes in the ZooKeeper service directory (register, deregister, list)',
};

export const COMMANDS: CommandSpec[] = [
  {
    name: 'plan',
    summary: 'Resolve a cluster spec and report capacity and findings',
    args: ['<spec>'],
    options: [
      { flags: '-o, --output <format>', description: 'output format', choices: ['text', 'json'], default: 'text' },
      failOnOption,
      dateOption,
      { flags: '--show-defaults', description: 'print the resolved spec as YAML, marking every default, and exit' },
    ],
    run([file], opts, io) {
      const result = plan(readSpec(file!, io), file!, { today: planDate(opts, io), readManifests: manifestReader(file!, io) });
      if (opts.showDefaults) {
        io.stdout(defaultsYaml(result.model));
        return 0;
      }
      const color = io.isTTY && io.env.NO_COLOR === undefined;
      io.stdout(opts.output === 'json' ? JSON.stringify(planJson(result), null, 2) + '\n' : planText(result, { color }));
      return exitCodeFor(result, opts.failOn as FailOn);
    },
  },
  {
    name: 'cost',
    summary: 'Estimate the monthly cost of a cluster spec, item by item with price sources',
    args: ['<spec>'],
    options: [
      { flags: '-o, --output <format>', description: 'output format', choices: ['text', 'json'], default: 'text' },
      { flags: '--compare <spec2>', description: 'print the difference to a second spec, item by item' },
      { flags: '--manifests <path>', description: 'right-size node groups from these workload manifests (default: spec.workloads.manifests)' },
      dateOption,
    ],
    run([file], opts, io) {
      const today = planDate(opts, io);
      const a = plan(readSpec(file!, io), file!, { today, rules: [] });
      if (typeof opts.compare === 'string') {
        const b = plan(readSpec(opts.compare, io), opts.compare, { today, rules: [] });
        io.stdout(opts.output === 'json' ? JSON.stringify({ base: costJson(a.cost), compared: costJson(b.cost), differenceUsd: Math.round((b.cost.monthlyUsd - a.cost.monthlyUsd) * 100) / 100 }, null, 2) + '\n' : costCompare(a.cost, b.cost, [file!, opts.compare]));
        return 0;
      }
      const files = typeof opts.manifests === 'string' ? manifestReader(undefined, io)([opts.manifests]) : manifestReader(file!, io)(a.model.workloads.manifests);
      const sizing = files.length ? rightSizeFrom(a, files) : undefined;
      if (opts.output === 'json') io.stdout(JSON.stringify({ ...costJson(a.cost), ...(sizing ? { rightSizing: sizing } : {}) }, null, 2) + '\n');
      else io.stdout(costText(a.cost) + (sizing ? `\n${rightSizingText(sizing)}` : ''));
      return 0;
    },
  },
  {
    name: 'prices',
    summary: 'Refresh EC2 prices of a region from the AWS Price List API into the local cache (prices update)',
    args: ['<action>'],
    options: [
      { flags: '--region <region>', description: 'the region whose prices to fetch' },
      { flags: '--cache-dir <dir>', description: 'where fetched prices are kept (default: $KUBERATOR_CACHE_DIR or ~/.cache/kuberator)' },
    ],
    async run([action], opts, io) {
      if (action !== 'update') throw new KuberatorError('KBR-CLI006', `unknown action '${action}'; the prices command takes: update`);
      const region = opts.region as string | undefined;
      if (!region) throw new KuberatorError('KBR-CLI007', 'prices update needs --region <region>');
      if (!regions().includes(region)) throw new KuberatorError('KBR-CLI008', unknownRegionMessage(region));
      // The AWS SDK loads only on this path; the Price List API answers from us-east-1.
      const [{ PricingClient }, { fetchEc2Prices }] = await Promise.all([import('@aws-sdk/client-pricing'), import('../prices/update.js')]);
      const prices = await fetchEc2Prices(new PricingClient({ region: 'us-east-1' }), region, io.today());
      const file = join((opts.cacheDir as string | undefined) ?? priceCacheDir(io.env), `ec2-prices-${region}.json`);
      io.writeFile(file, JSON.stringify(prices, null, 1) + '\n');
      io.stdout(`wrote ${Object.keys(prices.prices).length} EC2 prices for ${region} to ${file}; they override the bundled ones\n`);
      return 0;
    },
  },
  {
    name: 'render',
    summary: 'Write the CloudFormation templates and the GitOps tree of the in-cluster platform',
    args: ['<spec>'],
    options: [
      { flags: '--out <dir>', description: 'output directory (replaced as a whole)' },
      dateOption,
      { flags: '--force', description: 'render despite error findings, and replace a directory kuberator did not write' },
    ],
    run([file], opts, io) {
      if (typeof opts.out !== 'string') throw new KuberatorError('KBR-CLI004', "render needs --out <dir>");
      const result = plan(readSpec(file!, io), file!, { today: planDate(opts, io), readManifests: manifestReader(file!, io) });
      const errors = result.findings.filter((f) => f.severity === 'error' && !f.suppressed);
      if (errors.length && !opts.force) {
        for (const f of errors) io.stderr(`${f.location ? `${f.location.file}:${f.location.line}:${f.location.col}` : f.path}: ${f.rule}: ${f.message}\n`);
        io.stderr(`render refused: ${errors.length} error finding${errors.length === 1 ? '' : 's'} (see kuberator plan); fix them, suppress them with a reason, or pass --force\n`);
        return 1;
      }
      const files = renderFiles(result);
      const written = io.writeOutputDir(opts.out, files, { force: Boolean(opts.force), cluster: result.model.name });
      for (const w of written) io.stdout(`wrote ${w.path} (${formatNumber(w.bytes)} bytes)\n`);
      io.stdout(`${written.length} files; deploy order and commands in ${opts.out}/cloudformation/README.md\n`);
      return 0;
    },
  },
  auditCommand,
  spotHandlerCommand,
  upgradeCommand,
  discoveryBridgeCommand,
  discoveryRegisterCommand,
  discoveryDeregisterCommand,
  discoveryListCommand,
  {
    name: 'validate',
    summary: 'Check that a spec parses and resolves (no rules)',
    args: ['<spec>'],
    options: [dateOption],
    run([file], opts, io) {
      const r = plan(readSpec(file!, io), file!, { today: planDate(opts, io), rules: [] });
      io.stdout(`${file}: valid (${r.model.nodeGroups.length} node groups, ${r.model.defaults.length} defaults applied)\n`);
      return 0;
    },
  },
  {
    name: 'schema',
    summary: 'Print the JSON Schema of the cluster spec',
    args: [],
    options: [],
    run(_args, _opts, io) {
      io.stdout(JSON.stringify(jsonSchema(), null, 2) + '\n');
      return 0;
    },
  },
  {
    name: 'rules',
    summary: 'List every rule',
    args: [],
    options: [{ flags: '-o, --output <format>', description: 'output format', choices: ['text', 'json'], default: 'text' }],
    run(_args, opts, io) {
      io.stdout(opts.output === 'json' ? JSON.stringify(rulesJson(RULES), null, 2) + '\n' : rulesText(RULES));
      return 0;
    },
  },
  {
    name: 'explain',
    summary: 'Explain one rule: why it matters and how to fix it',
    args: ['<rule-id>'],
    options: [],
    run([id], _opts, io) {
      const rule = findRule(id!);
      if (!rule) throw new KuberatorError('KBR-CLI003', `no rule '${id}'${didYouMean(id!, RULES.map((r) => r.id))}; 'kuberator rules' lists them`);
      io.stdout(explainText(rule));
      return 0;
    },
  },
];
