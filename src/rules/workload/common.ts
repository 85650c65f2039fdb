// Shared predicates for workload rules: which objects a rule looks at, and container walking.
import { type ContainerRef, containers, type PodTemplate, podTemplate } from '../../audit/graph.js';
import type { KubeObject } from '../../audit/objects.js';
import type { ObjectRawFinding } from '../types.js';

export { ROLE_LABEL } from '../../model/defaults.js';

/** The taint kuberator puts on system nodes (L09, L34). */
export const SYSTEM_TAINT_KEY = 'CriticalAddonsOnly';

/** Objects that carry a pod template: Pods, controllers, CronJobs and custom workloads. */
export function hasPods(o: KubeObject): boolean {
  return podTemplate(o) !== undefined;
}

/** Pods that keep running: controllers and bare Pods (not Jobs or CronJobs). */
export function isLongRunning(o: KubeObject): boolean {
  return podTemplate(o) !== undefined && o.kind !== 'Job' && o.kind !== 'CronJob';
}

/** Runs `check` on each container of the object's pod template and collects its findings. */
export function eachContainer(o: KubeObject, check: (c: ContainerRef, t: PodTemplate) => Omit<ObjectRawFinding, 'container'> | Array<Omit<ObjectRawFinding, 'container'>> | undefined, opts: { init?: boolean } = {}): ObjectRawFinding[] {
  const t = podTemplate(o);
  if (!t) return [];
  const out: ObjectRawFinding[] = [];
  for (const c of containers(t, opts)) {
    const r = check(c, t);
    if (!r) continue;
    // The check's findings are fresh objects: the container is set on them, not copied.
    if (Array.isArray(r)) {
      for (const f of r) {
        (f as ObjectRawFinding).container = c.name;
        out.push(f);
      }
    } else {
      (r as ObjectRawFinding).container = c.name;
      out.push(r);
    }
  }
  return out;
}

/** `spec.template.spec` + `.x` without a leading dot when the base is empty. */
export function at(base: string, rest: string): string {
  return base ? `${base}.${rest}` : rest;
}
