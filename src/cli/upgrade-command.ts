// `kuberator upgrade plan <spec> --to <minor>`: the upgrade runbook from the spec, the data tables
// and the workloads (manifests, or a live cluster), as Markdown or JSON; `--write` moves the
// versions in the spec file itself.
import { loadManifests } from '../audit/index.js';
import type { KubeObject } from '../audit/objects.js';
import { KuberatorError } from '../errors.js';
import { plan, type PlanResult } from '../plan.js';
import { upgradeJson, upgradeMarkdown } from '../report/upgrade.js';
import { pinsAfter, planUpgrade } from '../upgrade/plan.js';
import type { UpgradePlan } from '../upgrade/types.js';
import { rewriteSpecVersions } from '../upgrade/write.js';
import { readInputs } from './audit-command.js';
import { type CommandSpec, manifestReader, planDate, readSpec } from './commands.js';
import type { CliIo } from './io.js';
import { dateOption, includeSystemOption, liveClusterOptions } from './options.js';

const LIVE_ONLY = ['kubeconfig', 'context', 'includeSystem'] as const;
const flag = (k: string) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

interface Context {
  result: PlanResult;
  /** The spec file's text, for --write. */
  text: string;
  specFile: string;
  today: string;
  to: string;
}

interface Workloads {
  objects?: KubeObject[];
  workloads: UpgradePlan['workloads'];
  /** Remarks for the plan's notes (unreadable documents, kinds the live read could not list). */
  notes: string[];
}

export const upgradeCommand: CommandSpec = {
  name: 'upgrade plan',
  summary: 'Plan a Kubernetes upgrade: a runbook of pre-checks and commands, one minor per hop',
  args: ['<spec>'],
  options: [
    { flags: '--to <minor>', description: 'the target Kubernetes minor, such as 1.36 (the spec’s own minor plans an add-on or node refresh)' },
    { flags: '--manifests <paths...>', description: 'workload manifests to check (files, directories, - for standard input; default: spec.workloads.manifests)' },
    { flags: '--live', description: 'check the workloads of the cluster in the current kubeconfig context instead of manifests' },
    ...liveClusterOptions,
    includeSystemOption,
    { flags: '--nodes <when>', description: 'roll the node groups in every hop, or only when the skew policy requires it and in the last hop', choices: ['each-hop', 'last-hop'], default: 'each-hop' },
    { flags: '-o, --output <format>', description: 'output format', choices: ['markdown', 'json'], default: 'markdown' },
    { flags: '--out <file>', description: 'write the runbook to this file (atomically) instead of standard output' },
    dateOption,
    { flags: '--write', description: 'set the target version in the spec file, and the add-on and node-group pins it already has, keeping its comments' },
    { flags: '--fail-on-block', description: 'exit 1 when a pre-check blocks (and then do not --write)' },
  ],
  run([file], opts, io) {
    const specFile = file!;
    const live = Boolean(opts.live);
    const paths = opts.manifests as string[] | undefined;
    if (typeof opts.to !== 'string') throw new KuberatorError('KBR-UPG020', 'upgrade plan needs --to <minor>, such as --to 1.36');
    if (live && paths) throw new KuberatorError('KBR-UPG021', 'give either --manifests or --live, not both');
    if (!live) for (const k of LIVE_ONLY) if (opts[k] !== undefined) throw new KuberatorError('KBR-UPG021', `${flag(k)} applies only with --live`);
    const today = planDate(opts, io);
    const text = readSpec(specFile, io);
    const ctx: Context = { result: plan(text, specFile, { today, rules: [] }), text, specFile, today, to: opts.to };

    if (!live) {
      const texts = paths ? readInputs(paths, io) : manifestReader(specFile, io)(ctx.result.model.workloads.manifests);
      return finish(ctx, fromManifests(texts, paths !== undefined || texts.length > 0, io), opts, io);
    }
    // A target the planner refuses fails here, before the cluster is read.
    planUpgrade(ctx.result.model, ctx.result.capacity, { to: ctx.to, today, specFile, workloads: 'none' });
    // The Kubernetes client loads only on this path.
    return import('../audit/live.js').then(async ({ readLiveObjects }) => {
      const read = await readLiveObjects({
        ...(typeof opts.kubeconfig === 'string' ? { kubeconfig: opts.kubeconfig } : {}),
        ...(typeof opts.context === 'string' ? { context: opts.context } : {}),
        includeSystem: Boolean(opts.includeSystem),
      });
      for (const w of read.warnings) io.stderr(`warning: ${w}\n`);
      const notes: string[] = [];
      if (read.warnings.length) notes.push(`The live read of context ${read.context} left out ${plural(read.warnings.length, 'kind')} it could not list: ${read.warnings.join('; ')}.`);
      const specVersion = ctx.result.model.kubernetesVersion;
      if (read.server.minor !== specVersion) {
        const msg = `The cluster of context ${read.context} serves Kubernetes ${read.server.minor}, but ${specFile} says ${specVersion}: the plan starts from the spec's version.`;
        io.stderr(`warning: ${msg}\n`);
        notes.push(msg);
      }
      return finish(ctx, { objects: read.objects, workloads: 'live', notes }, opts, io);
    });
  },
};

function fromManifests(texts: Array<{ file: string; text: string }>, given: boolean, io: CliIo): Workloads {
  if (!given) return { workloads: 'none', notes: [] };
  const loaded = loadManifests(texts);
  const notes = loaded.malformed.map((d) => `${d.location.file}:${d.location.line}: a document could not be read (${d.message}), so it was not checked.`);
  for (const n of notes) io.stderr(`warning: ${n}\n`);
  return { objects: loaded.objects, workloads: 'manifests', notes };
}

function finish(ctx: Context, w: Workloads, opts: Record<string, unknown>, io: CliIo): number {
  const planned = planUpgrade(ctx.result.model, ctx.result.capacity, {
    to: ctx.to,
    today: ctx.today,
    specFile: ctx.specFile,
    workloads: w.workloads,
    ...(w.objects ? { objects: w.objects } : {}),
    nodes: opts.nodes as 'each-hop' | 'last-hop',
  });
  // Notes on the input that the planner does not see: unreadable documents, a partial live read.
  const upgrade: UpgradePlan = w.notes.length ? { ...planned, notes: [...planned.notes, ...w.notes] } : planned;

  const report = opts.output === 'json' ? upgradeJson(upgrade) : upgradeMarkdown(upgrade);
  if (typeof opts.out === 'string') {
    try {
      io.writeFile(opts.out, report);
    } catch (e) {
      throw new KuberatorError('KBR-UPG022', `cannot write ${opts.out}: ${(e as Error).message}`);
    }
    io.stdout(`wrote ${opts.out}\n`);
  } else io.stdout(report);

  const blocks = upgrade.hops.flatMap((h) => h.preChecks).filter((c) => c.status === 'block').length;
  if (blocks) io.stderr(`blocked: ${plural(blocks, 'pre-check')} must be fixed first (marked ⛔ in the runbook)\n`);
  const stop = Boolean(opts.failOnBlock) && upgrade.blocked;
  if (opts.write) {
    if (stop) io.stderr(`not writing ${ctx.specFile}: the plan is blocked (--fail-on-block)\n`);
    else writeSpec(ctx, upgrade, io);
  }
  return stop ? 1 : 0;
}

function writeSpec(ctx: Context, upgrade: UpgradePlan, io: CliIo): void {
  const file = ctx.specFile;
  const { text, changed } = rewriteSpecVersions(ctx.text, file, pinsAfter(ctx.result.model, upgrade.to));
  if (!changed.length) {
    io.stderr(`${file}: already at ${upgrade.to}; nothing to change\n`);
    return;
  }
  try {
    io.writeFile(file, text);
  } catch (e) {
    throw new KuberatorError('KBR-UPG023', `cannot write ${file}: ${(e as Error).message}`);
  }
  io.stderr(`updated ${file}:\n${changed.map((c) => `  ${c}\n`).join('')}`);
  if (upgrade.hops.length > 1) io.stderr(`${file} now says ${upgrade.to}, ${upgrade.hops.length} minors ahead: EKS moves one minor at a time, so deploy the rendered cluster stack only once the runbook's hops have brought the control plane to ${upgrade.to}\n`);
}
