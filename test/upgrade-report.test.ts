// The upgrade plan's two reports: the Markdown runbook (a section per hop, pre-check statuses,
// checkboxes, the exact commands) and the JSON (the plan's hops, findings reduced to what to act on).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { upgradeJson, upgradeMarkdown } from '../src/report/upgrade.js';
import { at, production, upgrade } from './helpers/upgrade.js';


// An Ingress under an API version long removed: the first hop's removed-API check blocks.
const OLD_INGRESS = 'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: edge\n  namespace: shop\n';

describe('upgrade runbook (Markdown)', () => {
  const p = upgrade(at(production, '1.33'), { to: '1.36' });
  const md = upgradeMarkdown(p);

  test('a title with the cluster, region and versions, and one section per hop in order', () => {
    assert.match(md, /^# Upgrade runbook: shop-prod, Kubernetes 1\.33 → 1\.36\n/);
    assert.match(md, /^- Cluster: `shop-prod` in `eu-west-1`, spec `spec\.yaml`$/m);
    assert.match(md, /^- Change: Kubernetes minor upgrade, one minor per hop \(3 hops\)$/m);
    const sections = [...md.matchAll(/^## (Hop .*)$/gm)].map((m) => m[1]);
    assert.deepEqual(sections, ['Hop 1 of 3: 1.33 → 1.34', 'Hop 2 of 3: 1.34 → 1.35', 'Hop 3 of 3: 1.35 → 1.36']);
  });

  test('every step is a checkbox, with its commands and verify commands in sh blocks', () => {
    const steps = p.hops.flatMap((h) => [...(h.controlPlane ? [h.controlPlane] : []), ...h.addons, ...h.nodeGroups, ...h.postChecks]);
    assert.equal(md.match(/^- \[ \] /gm)?.length, steps.length);
    for (const s of steps) {
      assert.ok(md.includes(`- [ ] **${s.title}** \`${s.id}\``), s.id);
      for (const c of [...s.commands, ...s.verify]) assert.ok(md.includes(`\n  ${c}\n`), c);
    }
    // Fences are balanced: every opening ```sh has its closing ```.
    assert.equal(md.match(/^ {2}```sh$/gm)?.length, md.match(/^ {2}```$/gm)?.length);
  });

  test('each hop has the control-plane command for its cluster, region and version', () => {
    for (const h of p.hops) {
      const section = md.slice(md.indexOf(`: ${h.from} → ${h.to}\n`));
      assert.match(section, new RegExp(`aws eks update-cluster-version --region eu-west-1 --name shop-prod --kubernetes-version ${h.to.replace('.', '\\.')}\\n`));
    }
  });

  test('plan notes appear once at the top', () => {
    assert.match(md, /^## Notes\n\n- No workloads were given/m);
    assert.equal(md.split('No workloads were given').length, 2);
  });

  test('the same plan gives the same bytes', () => {
    assert.equal(upgradeMarkdown(upgrade(at(production, '1.33'), { to: '1.36' })), md);
  });
});

describe('blocked pre-checks in the runbook', () => {
  const p = upgrade(at(production, '1.34'), { to: '1.36' }, OLD_INGRESS);
  const md = upgradeMarkdown(p);

  test('a blocking check is marked, with its details and location, and the hop and summary say blocked', () => {
    assert.ok(p.blocked);
    assert.match(md, /^- ⛔ BLOCK \*\*No object uses an API version the new minor no longer serves\*\* `removed-apis`$/m);
    assert.match(md, /^ {2}- Ingress shop\/edge \(m\.yaml:1\): extensions\/v1beta1 Ingress was removed/m);
    assert.match(md, /^## Hop 1 of 2: 1\.34 → 1\.35 ⛔ blocked$/m);
    assert.match(md, /^- Pre-checks: .*[1-9]\d* block — \*\*blocked\*\*/m);
    assert.match(md, /^- ✅ PASS \*\*No PodDisruptionBudget blocks node drains\*\*/m);
  });

  test('a plan with nothing blocked does not say blocked', () => {
    const ok = upgradeMarkdown(upgrade(production, { to: '1.36' }, 'apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n'));
    assert.doesNotMatch(ok, /⛔|blocked/);
  });
});

describe('the same minor: add-ons or nodes only', () => {
  test('a node refresh has no control-plane section and a title without an arrow', () => {
    const md = upgradeMarkdown(upgrade(production, { to: '1.35' }));
    assert.match(md, /^# Upgrade runbook: shop-prod, node groups at Kubernetes 1\.35$/m);
    assert.match(md, /^## 1\.35: node groups$/m);
    assert.doesNotMatch(md, /### Control plane|update-cluster-version/);
    assert.match(md, /### Node groups/);
  });
});

describe('upgrade JSON', () => {
  test('parses, and carries the plan’s hops, checks and steps', () => {
    const p = upgrade(at(production, '1.34'), { to: '1.36' }, OLD_INGRESS);
    const text = upgradeJson(p);
    assert.ok(text.endsWith('}\n'));
    assert.match(text, /^\{\n {2}"cluster": "shop-prod",\n/);
    const j = JSON.parse(text) as {
      cluster: string;
      region: string;
      from: string;
      to: string;
      kind: string;
      blocked: boolean;
      hops: Array<{ from: string; to: string; blocked: boolean; preChecks: Array<{ id: string; status: string; findings?: Array<Record<string, unknown>> }>; controlPlane?: { commands: string[] }; addons: unknown[]; nodeGroups: unknown[] }>;
    };
    assert.deepEqual([j.cluster, j.region, j.from, j.to, j.kind, j.blocked], ['shop-prod', 'eu-west-1', '1.34', '1.36', 'minor', true]);
    assert.deepEqual(j.hops.map((h) => [h.from, h.to]), p.hops.map((h) => [h.from, h.to]));
    j.hops.forEach((h, i) => {
      const hop = p.hops[i]!;
      assert.deepEqual(h.preChecks.map((c) => [c.id, c.status]), hop.preChecks.map((c) => [c.id, c.status]));
      assert.deepEqual(h.controlPlane?.commands, hop.controlPlane?.commands);
      assert.equal(h.addons.length, hop.addons.length);
      assert.equal(h.nodeGroups.length, hop.nodeGroups.length);
      assert.equal(h.blocked, hop.preChecks.some((c) => c.status === 'block'));
    });
  });

  test('findings keep what to act on: rule, severity, object, location, message, fix', () => {
    const j = JSON.parse(upgradeJson(upgrade(at(production, '1.34'), { to: '1.36' }, OLD_INGRESS))) as { hops: Array<{ preChecks: Array<{ id: string; findings?: Array<Record<string, unknown>> }> }> };
    const f = j.hops[0]!.preChecks.find((c) => c.id === 'removed-apis')!.findings![0]!;
    assert.deepEqual(Object.keys(f), ['rule', 'severity', 'object', 'location', 'message', 'fix']);
    assert.equal(f.rule, 'workload/removed-api');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.object, { apiVersion: 'extensions/v1beta1', kind: 'Ingress', namespace: 'shop', name: 'edge' });
    assert.deepEqual(f.location, { file: 'm.yaml', line: 1, col: 1 });
    // Checks without findings have no findings key.
    assert.ok(!('findings' in j.hops[0]!.preChecks.find((c) => c.id === 'skew')!));
  });
});
