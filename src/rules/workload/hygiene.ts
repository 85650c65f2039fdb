// Manifest hygiene: mistakes the API server accepts (or rejects only at apply time) that make a
// workload behave differently from what its author reads: duplicate env vars, selectors that
// miss their own pods, objects that are not objects, and ignore annotations that ignore nothing.
import { asRecord, type LabelSelector, matchesSelector, podTemplate } from '../../audit/graph.js';
import { IGNORE_ANNOTATION, parseIgnoreAnnotation } from '../../audit/ignores.js';
import { INVALID_MANIFEST_RULE } from '../../audit/engine.js';
import type { KubeObject } from '../../audit/objects.js';
import { didYouMean } from '../../util/suggest.js';
import type { ObjectRawFinding, WorkloadRule } from '../types.js';
import { at, eachContainer, hasPods } from './common.js';

/** Controllers whose spec.selector must pick their own template's pods. */
const SELECTING = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet']);

const IGNORE_PATH = `metadata.annotations[${JSON.stringify(IGNORE_ANNOTATION)}]`;

function describeLabels(labels: Record<string, unknown>): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}=${String(v)}`);
  return parts.length ? parts.join(',') : 'no labels';
}

function describeSelector(sel: LabelSelector): string {
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${String(v)}`);
  for (const e of sel.matchExpressions ?? []) parts.push(`${e.key} ${e.operator}${e.values?.length ? ` (${e.values.join(',')})` : ''}`);
  return parts.join(',');
}

export const hygieneRules: WorkloadRule[] = [
  {
    scope: 'workload',
    id: 'workload/duplicate-env',
    severity: 'warning',
    lessons: [],
    equivalents: ['kube-score:environment-variable-key-duplication', 'kube-linter:duplicate-env-var'],
    title: 'Duplicate environment variable',
    why: 'When a container lists the same env var twice, the last entry silently wins: whoever edits the first one sees no effect, and merges from overlays easily produce such pairs.',
    fix: 'Keep one entry per env var name in each container.',
    appliesTo: hasPods,
    check: (o) =>
      eachContainer(
        o,
        (c) => {
          const env = c.container.env;
          if (!Array.isArray(env)) return undefined;
          const first = new Map<string, number>();
          const out: Array<Omit<ObjectRawFinding, 'container'>> = [];
          env.forEach((e, j) => {
            const name = asRecord(e)?.name;
            if (typeof name !== 'string') return;
            const prev = first.get(name);
            if (prev === undefined) first.set(name, j);
            else out.push({ path: at(c.path, `env[${j}].name`), message: `${c.init ? 'init container' : 'container'} '${c.name}' sets ${name} twice (env[${prev}] and env[${j}]); the last one wins` });
          });
          return out;
        },
        { init: true },
      ),
  },
  {
    scope: 'workload',
    id: 'workload/selector-mismatch',
    severity: 'error',
    lessons: [],
    equivalents: ['kube-score:deployment-pod-selector-labels-match-template-metadata-labels', 'kube-score:statefulset-pod-selector-labels-match-template-metadata-labels', 'kube-linter:mismatching-selector'],
    title: 'Selector does not match the pod template',
    why: 'A controller whose selector does not match its own pod template labels is rejected by the API server, or, with an empty selector, adopts every pod of the namespace.',
    fix: 'Make spec.selector.matchLabels a subset of spec.template.metadata.labels (and never change it after creation: the selector is immutable).',
    appliesTo: (o) => SELECTING.has(o.kind) && hasPods(o),
    check: (o): ObjectRawFinding[] => {
      const t = podTemplate(o)!;
      const spec = asRecord(o.raw.spec)!;
      const sel = asRecord(spec.selector) as LabelSelector | undefined;
      if (!sel) {
        // Before apps/v1 the selector defaulted to the template's labels.
        if (!o.apiVersion.startsWith('apps/') || o.apiVersion === 'apps/v1beta1') return [];
        return [{ path: 'spec', message: `${o.kind} '${o.name}' has no spec.selector, which ${o.apiVersion} requires` }];
      }
      const empty = !Object.keys(asRecord(sel.matchLabels) ?? {}).length && !(Array.isArray(sel.matchExpressions) && sel.matchExpressions.length);
      if (empty) return [{ path: 'spec.selector', message: `${o.kind} '${o.name}' has an empty selector, which would select every pod in namespace '${o.namespace}'` }];
      if (matchesSelector(sel, t.labels)) return [];
      return [{ path: 'spec.selector', message: `${o.kind} '${o.name}' selects ${describeSelector(sel)} but its pod template has ${describeLabels(t.labels)}` }];
    },
  },
  {
    scope: 'workload',
    id: INVALID_MANIFEST_RULE,
    severity: 'error',
    lessons: [],
    equivalents: ['kube-linter:schema-validation'],
    title: 'Invalid manifest',
    why: 'A document that is not valid YAML, or not a Kubernetes object with apiVersion, kind and a name, fails the whole apply (or stops a GitOps reconciliation), and nothing else in it is checked.',
    fix: 'Fix the document so it parses and carries apiVersion, kind and metadata.name (or metadata.generateName).',
    appliesTo: () => true,
    check: (o): ObjectRawFinding[] => {
      const out: ObjectRawFinding[] = [];
      const raw = o.raw;
      if (typeof raw.apiVersion !== 'string' || !raw.apiVersion.trim()) out.push({ path: 'apiVersion', message: `${o.kind} '${o.name}' has no apiVersion` });
      const meta = asRecord(raw.metadata);
      const named = (k: string) => typeof meta?.[k] === 'string' && (meta[k] as string).trim() !== '';
      if (!named('name') && !named('generateName')) out.push({ path: meta ? 'metadata.name' : 'metadata', message: `${o.kind} has no metadata.name` });
      return out;
    },
  },
  {
    scope: 'workload',
    id: 'workload/invalid-ignore',
    severity: 'warning',
    lessons: [],
    equivalents: [],
    title: 'Ignore annotation that ignores nothing',
    why: 'A malformed kuberator.dev/ignore annotation, or one naming a rule that does not exist, suppresses nothing: the findings its author meant to accept keep failing the build, or a typo hides that the wrong rule was named.',
    fix: 'Write the annotation as "<rule-id>[,<rule-id>]: <reason>" (entries separated by ;), with rule ids from docs/rules.md.',
    appliesTo: (o: KubeObject) => o.annotations[IGNORE_ANNOTATION] !== undefined,
    check: (o, _g, ctx): ObjectRawFinding[] => {
      const value = o.annotations[IGNORE_ANNOTATION]!;
      const parsed = parseIgnoreAnnotation(value);
      if (!parsed) return [{ path: IGNORE_PATH, message: `${o.kind} '${o.name}': ${IGNORE_ANNOTATION} is not of the form "<rule>[,<rule>]: <reason>" (got ${JSON.stringify(value)})` }];
      const out: ObjectRawFinding[] = [];
      for (const e of parsed) {
        for (const id of e.rules) {
          if (ctx.knownRules.has(id)) continue;
          out.push({ path: IGNORE_PATH, message: `${o.kind} '${o.name}': ${IGNORE_ANNOTATION} names unknown rule '${id}'${didYouMean(id, ctx.knownRules)}` });
        }
      }
      return out;
    },
  },
];
