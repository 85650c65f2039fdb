// `plan --show-defaults`: the resolved spec as YAML, each value kuberator filled in marked with a
// comment naming the lesson and the reason.
import { Document, isMap, isNode, isSeq, type Node } from 'yaml';
import { toSpec } from '../model/to-spec.js';
import type { ResolvedCluster } from '../model/types.js';

export function defaultsYaml(m: ResolvedCluster): string {
  const doc = new Document(toSpec(m));
  for (const d of m.defaults) {
    const path = parsePath(d.path);
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    const key = path[path.length - 1]!;
    const note = ` default${d.lessons.length ? ` (${d.lessons.join(', ')})` : ''}: ${d.reason}`;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isNode(p.key) ? (p.key as { value?: unknown }).value : p.key) === key);
      if (pair && isNode(pair.key)) (pair.key as Node).commentBefore = note;
    } else if (isSeq(parent) && typeof key === 'number') {
      const item = parent.items[key];
      if (isNode(item)) item.commentBefore = note;
    }
  }
  return `# Resolved spec for ${m.name}: values marked "default" were filled in by kuberator.\n${doc.toString({ lineWidth: 0 })}`;
}

/** `spec.nodeGroups[0].labels["a/b"]` → ['spec', 'nodeGroups', 0, 'labels', 'a/b']. */
export function parsePath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(JSON.parse(m[3]) as string);
  }
  return out;
}
