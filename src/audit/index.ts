// The audit as a library call: manifests (or live objects) in, findings and a score out.
import { findEksVersion, newestEksVersion } from '../facts/index.js';
import { KuberatorError } from '../errors.js';
import type { ResolvedCluster } from '../model/types.js';
import { RULES } from '../rules/index.js';
import type { AuditContext, Rule } from '../rules/types.js';
import { type AuditConfig, defaultAuditConfig } from './config.js';
import { type AuditInput, type AuditResult, runAudit } from './engine.js';
import { loadManifests, type ManifestFile } from './load.js';

export interface AuditOptions {
  today: string;
  /** Target minor for API-version checks; default: the cluster's when given, else the newest supported. */
  kubernetesVersion?: string;
  cluster?: ResolvedCluster;
  config?: AuditConfig;
  rules?: readonly Rule[];
  /** Record which rules ran on each object (JUnit output lists passes too). */
  recordChecks?: boolean;
}

const KNOWN_RULES: ReadonlySet<string> = new Set(RULES.map((r) => r.id));

export function auditObjects(input: AuditInput, opts: AuditOptions): AuditResult {
  const config = opts.config ?? defaultAuditConfig();
  const rules = opts.rules ?? RULES;
  const ctx: AuditContext = {
    today: opts.today,
    kubernetesVersion: targetVersion(opts),
    thresholds: config.thresholds,
    ...(opts.cluster ? { cluster: opts.cluster } : {}),
    // Ignore annotations may name any rule of the registry, also one this run leaves out.
    knownRules: KNOWN_RULES,
    systemNamespaces: config.systemNamespaces,
  };
  return runAudit(input, rules, ctx, config, { recordChecks: opts.recordChecks ?? false });
}

export function auditManifests(files: readonly ManifestFile[], opts: AuditOptions): AuditResult {
  return auditObjects(loadManifests(files), opts);
}

function targetVersion(opts: AuditOptions): string {
  const v = opts.kubernetesVersion ?? opts.cluster?.kubernetesVersion;
  if (v === undefined) return newestEksVersion(opts.today).version;
  const minor = /^v?(\d+\.\d+)(\.\d+)?$/.exec(v)?.[1];
  if (!minor) throw new KuberatorError('KBR-AUDIT001', `--kubernetes-version expects a version such as 1.33, got '${v}'`);
  if (!findEksVersion(minor) && Number(minor.split('.')[1]) < 16) throw new KuberatorError('KBR-AUDIT001', `--kubernetes-version ${v} is older than any version kuberator knows`);
  return minor;
}

export { type AuditResult, type AuditSummary, runAudit } from './engine.js';
export { type AuditConfig, defaultAuditConfig, parseAuditConfig } from './config.js';
export { loadManifests } from './load.js';
