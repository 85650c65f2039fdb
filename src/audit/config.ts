// `.kuberator.yaml`: per-rule severities, rules turned off, exemptions by namespace / kind /
// object name / container name (prefix match), thresholds, and whether annotations may exempt.
// Read with positions like the spec, so a typo is reported at its file:line:col.
import { z } from 'zod';
import { parseWithSchema } from '../spec/parse.js';
import type { AuditThresholds, Severity } from '../rules/types.js';

const severityOrOff = z.enum(['error', 'warning', 'info', 'off']);

const exemption = z
  .strictObject({
    rules: z.array(z.string().min(1)).min(1).optional().describe('rules exempted (all rules when absent)'),
    namespaces: z.array(z.string().min(1)).min(1).optional().describe('namespaces, exact'),
    kinds: z.array(z.string().min(1)).min(1).optional().describe('object kinds, exact'),
    names: z.array(z.string().min(1)).min(1).optional().describe('object name prefixes'),
    containers: z.array(z.string().min(1)).min(1).optional().describe('container name prefixes (container-level findings only)'),
    reason: z.string().min(1).describe('why; shown with every finding it suppresses'),
  })
  .refine((e) => e.namespaces || e.kinds || e.names || e.containers || e.rules, { message: 'an exemption needs at least one of rules, namespaces, kinds, names, containers' });

export const auditConfigSchema = z.strictObject({
  apiVersion: z.literal('kuberator.dev/v1alpha1').optional(),
  kind: z.literal('AuditConfig').optional(),
  rules: z.record(z.string(), severityOrOff).optional().describe('severity per rule id, or off'),
  exemptions: z.array(exemption).optional(),
  annotationExemptions: z.boolean().optional().describe('honour ignore annotations on objects (default true)'),
  thresholds: z
    .strictObject({
      maxLoadBalancerServices: z.number().int().min(0).optional(),
      memoryLimitHeadroom: z.number().min(1).optional(),
      minReplicas: z.number().int().min(1).optional(),
    })
    .optional(),
  systemNamespaces: z.array(z.string().min(1)).optional().describe('namespaces whose workloads are platform add-ons (added to the built-in list)'),
});

export type AuditConfigFile = z.infer<typeof auditConfigSchema>;

export interface Exemption {
  rules?: string[];
  namespaces?: string[];
  kinds?: string[];
  names?: string[];
  containers?: string[];
  reason: string;
}

export interface AuditConfig {
  severities: Record<string, Severity | 'off'>;
  exemptions: Exemption[];
  annotationExemptions: boolean;
  thresholds: AuditThresholds;
  systemNamespaces: string[];
}

export const DEFAULT_THRESHOLDS: AuditThresholds = { maxLoadBalancerServices: 3, memoryLimitHeadroom: 1.25, minReplicas: 2 };

/** Namespaces of the platform's own add-ons: their workloads belong on system nodes. */
export const SYSTEM_NAMESPACES = ['kube-system', 'kube-node-lease', 'kube-public', 'flux-system', 'monitoring', 'logging', 'ingress', 'external-dns', 'external-secrets', 'kubernetes-dashboard', 'cert-manager'];

export function defaultAuditConfig(): AuditConfig {
  return { severities: {}, exemptions: [], annotationExemptions: true, thresholds: { ...DEFAULT_THRESHOLDS }, systemNamespaces: [...SYSTEM_NAMESPACES] };
}

/** Parses a config file; unknown rule ids are input errors with a did-you-mean (checked by the caller, who knows the rules). */
export function parseAuditConfig(text: string, file: string): { config: AuditConfig; source: ReturnType<typeof parseWithSchema>['source'] } {
  const { value, source } = parseWithSchema(text, file, auditConfigSchema, {
    empty: 'the audit config is empty; see docs/audit.md for its keys',
    shape: 'expected a mapping with rules, exemptions or thresholds',
  });
  return {
    config: {
      severities: value.rules ?? {},
      exemptions: value.exemptions ?? [],
      annotationExemptions: value.annotationExemptions ?? true,
      thresholds: { ...DEFAULT_THRESHOLDS, ...value.thresholds },
      systemNamespaces: [...SYSTEM_NAMESPACES, ...(value.systemNamespaces ?? [])],
    },
    source,
  };
}

/** The exemption that covers a finding, if any. */
export function exemptionFor(exemptions: readonly Exemption[], f: { rule: string; kind: string; namespace: string; name: string; container?: string }): Exemption | undefined {
  return exemptions.find(
    (e) =>
      (!e.rules || e.rules.includes(f.rule)) &&
      (!e.namespaces || e.namespaces.includes(f.namespace)) &&
      (!e.kinds || e.kinds.includes(f.kind)) &&
      (!e.names || e.names.some((p) => f.name.startsWith(p))) &&
      (!e.containers || (f.container !== undefined && e.containers.some((p) => f.container!.startsWith(p)))),
  );
}
