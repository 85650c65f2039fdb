// The upgrade plan as a Markdown runbook (checkboxes, pre-check statuses, commands in fenced
// blocks) and as JSON. Both are pure over the plan: the same plan gives the same bytes.
import type { Finding } from '../rules/types.js';
import type { CheckStatus, UpgradeCheck, UpgradeHop, UpgradePlan, UpgradeStep } from '../upgrade/types.js';
import { findingJson } from './audit.js';

const MARK: Record<CheckStatus, string> = { pass: '✅ PASS', warn: '⚠️ WARN', block: '⛔ BLOCK' };

const KIND: Record<UpgradePlan['kind'], string> = {
  minor: 'Kubernetes minor upgrade, one minor per hop',
  addons: 'managed add-ons only, at the same minor',
  nodes: 'node groups only, at the same minor (held-back groups catch up, or nodes move to the newest AMI)',
};

const WORKLOADS: Record<UpgradePlan['workloads'], string> = {
  manifests: 'from manifests',
  live: 'read from the live cluster',
  none: 'none given, so removed APIs, PDBs and replicas are not checked',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function counts(checks: readonly UpgradeCheck[]): string {
  const n = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  return `${n('pass')} pass, ${n('warn')} warn, ${n('block')} block`;
}

/** A fenced shell block, indented to sit inside a list item. */
function fenced(lines: readonly string[], indent: string): string[] {
  return [`${indent}\`\`\`sh`, ...lines.map((l) => `${indent}${l}`), `${indent}\`\`\``];
}

function stepLines(s: UpgradeStep): string[] {
  const out = [`- [ ] **${s.title}** \`${s.id}\``];
  for (const n of s.notes) out.push('', `  ${n}`);
  if (s.commands.length) out.push('', ...fenced(s.commands, '  '));
  if (s.verify.length) out.push('', '  Verify:', '', ...fenced(s.verify, '  '));
  out.push('');
  return out;
}

function checkLines(c: UpgradeCheck): string[] {
  return [`- ${MARK[c.status]} **${c.title}** \`${c.id}\``, ...c.details.map((d) => `  - ${d}`)];
}

function hopTitle(p: UpgradePlan, h: UpgradeHop, i: number): string {
  const blocked = h.preChecks.some((c) => c.status === 'block') ? ' ⛔ blocked' : '';
  if (p.kind !== 'minor') return `## ${h.to}: ${p.kind === 'addons' ? 'managed add-ons' : 'node groups'}${blocked}`;
  return `## Hop ${i + 1} of ${p.hops.length}: ${h.from} → ${h.to}${blocked}`;
}

function hopLines(p: UpgradePlan, h: UpgradeHop, i: number): string[] {
  const out = [hopTitle(p, h, i), '', `### Pre-checks (${counts(h.preChecks)})`, ''];
  if (h.preChecks.some((c) => c.status === 'block')) out.push('Fix every check marked ⛔ before going on; the ones marked ⚠️ should be fixed too.', '');
  for (const c of h.preChecks) out.push(...checkLines(c));
  out.push('');
  const sections: Array<[string, UpgradeStep[]]> = [
    ['Control plane', h.controlPlane ? [h.controlPlane] : []],
    ['Add-ons', h.addons],
    ['Node groups', h.nodeGroups],
    ['Post-checks', h.postChecks],
  ];
  for (const [title, steps] of sections) {
    if (!steps.length) continue;
    out.push(`### ${title}`, '', ...steps.flatMap(stepLines));
  }
  if (p.kind === 'minor' && !h.nodeGroups.length) out.push('_Nodes are not rolled in this hop (`--nodes last-hop`); they stay within the skew policy._', '');
  return out;
}

export function upgradeMarkdown(plan: UpgradePlan): string {
  const all = plan.hops.flatMap((h) => h.preChecks);
  const out = [
    `# Upgrade runbook: ${plan.cluster}, ${plan.kind === 'minor' ? `Kubernetes ${plan.from} → ${plan.to}` : `${plan.kind === 'addons' ? 'managed add-ons' : 'node groups'} at Kubernetes ${plan.to}`}`,
    '',
    `- Cluster: \`${plan.cluster}\` in \`${plan.region}\`, spec \`${plan.specFile}\``,
    `- Change: ${KIND[plan.kind]}${plan.kind === 'minor' ? ` (${plural(plan.hops.length, 'hop')})` : ''}`,
    `- Workloads: ${WORKLOADS[plan.workloads]}`,
    `- Pre-checks: ${counts(all)}${plan.blocked ? ' — **blocked**: fix the checks marked ⛔ first' : ''}`,
    '',
  ];
  if (plan.notes.length) out.push('## Notes', '', ...plan.notes.map((n) => `- ${n}`), '');
  plan.hops.forEach((h, i) => out.push(...hopLines(plan, h, i)));
  return out.join('\n').replace(/\n+$/, '\n');
}

/** The fields of a finding a plan's reader acts on: what, where, and how to fix it. */
function checkFinding(f: Finding): Record<string, unknown> {
  const { lessons: _lessons, path: _path, suppressed: _suppressed, ...rest } = findingJson(f);
  return rest;
}

function stepJson(s: UpgradeStep): Record<string, unknown> {
  return { id: s.id, title: s.title, notes: s.notes, commands: s.commands, verify: s.verify };
}

/** The plan as JSON with a fixed key order, two-space indented, ending in a newline. */
export function upgradeJson(plan: UpgradePlan): string {
  const data = {
    cluster: plan.cluster,
    region: plan.region,
    specFile: plan.specFile,
    from: plan.from,
    to: plan.to,
    kind: plan.kind,
    workloads: plan.workloads,
    blocked: plan.blocked,
    notes: plan.notes,
    hops: plan.hops.map((h) => ({
      from: h.from,
      to: h.to,
      blocked: h.preChecks.some((c) => c.status === 'block'),
      preChecks: h.preChecks.map((c) => ({ id: c.id, title: c.title, status: c.status, details: c.details, ...(c.findings ? { findings: c.findings.map(checkFinding) } : {}) })),
      ...(h.controlPlane ? { controlPlane: stepJson(h.controlPlane) } : {}),
      addons: h.addons.map(stepJson),
      nodeGroups: h.nodeGroups.map(stepJson),
      postChecks: h.postChecks.map(stepJson),
    })),
  };
  return JSON.stringify(data, null, 2) + '\n';
}
