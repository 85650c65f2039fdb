// Ignores written on objects: kuberator's own annotation, and the peers' annotations for rules
// that list the peer's check as an equivalent, so a team can switch tools without editing
// every manifest.
import type { WorkloadRule } from '../rules/types.js';

export const IGNORE_ANNOTATION = 'kuberator.dev/ignore';

export interface ParsedIgnore {
  rules: string[];
  reason: string;
}

/** `"<rule>[,<rule>]: <reason>"`; several entries may be separated by `;`. Undefined when malformed. */
export function parseIgnoreAnnotation(value: string): ParsedIgnore[] | undefined {
  const out: ParsedIgnore[] = [];
  for (const entry of value.split(';')) {
    if (!entry.trim()) continue;
    const m = /^\s*([^:]+?)\s*:\s*(\S.*?)\s*$/.exec(entry);
    if (!m) return undefined;
    const rules = m[1]!.split(',').map((r) => r.trim());
    if (rules.some((r) => !r)) return undefined;
    out.push({ rules, reason: m[2]! });
  }
  return out.length ? out : undefined;
}

/** Why an object's annotations exempt it from a rule, or undefined. */
export function annotationIgnore(annotations: Record<string, string>, rule: WorkloadRule): string | undefined {
  const own = annotations[IGNORE_ANNOTATION];
  if (own !== undefined) {
    for (const e of parseIgnoreAnnotation(own) ?? []) if (e.rules.includes(rule.id)) return `${IGNORE_ANNOTATION}: ${e.reason}`;
  }
  for (const eq of rule.equivalents) {
    const sep = eq.indexOf(':');
    const tool = eq.slice(0, sep);
    const check = eq.slice(sep + 1);
    if (tool === 'polaris') {
      if (isTrue(annotations['polaris.fairwinds.com/exempt'])) return 'polaris.fairwinds.com/exempt';
      const key = `polaris.fairwinds.com/${check}-exempt`;
      if (isTrue(annotations[key])) return key;
    } else if (tool === 'kube-score') {
      const list = annotations['kube-score/ignore'];
      if (list !== undefined && list.split(',').some((c) => c.trim() === check)) return `kube-score/ignore: ${check}`;
    } else if (tool === 'kube-linter') {
      const key = `ignore-check.kube-linter.io/${check}`;
      if (annotations[key] !== undefined) return annotations[key] ? `${key}: ${annotations[key]}` : key;
      if (annotations['kube-linter.io/ignore-all'] !== undefined) return 'kube-linter.io/ignore-all';
    }
  }
  return undefined;
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && v.trim().toLowerCase() === 'true';
}
