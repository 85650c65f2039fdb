// The machine-readable plan: stable keys, no colours, locations as file:line:col objects.
import { toSpec } from '../model/to-spec.js';
import { costJson } from './cost.js';
import type { PlanResult } from '../plan.js';
import { API_VERSION } from '../spec/schema.js';

export function planJson(r: PlanResult): Record<string, unknown> {
  return {
    apiVersion: API_VERSION,
    cluster: toSpec(r.model),
    findings: r.findings.map((f) => ({
      rule: f.rule,
      severity: f.severity,
      lessons: f.lessons,
      path: f.path,
      ...(f.location ? { location: f.location } : {}),
      message: f.message,
      fix: f.fix,
      ...(f.suppressed ? { suppressed: f.suppressed } : {}),
    })),
    capacity: r.capacity,
    cost: costJson(r.cost),
    defaults: r.model.defaults,
    summary: r.summary,
  };
}
