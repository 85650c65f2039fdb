// `upgrade plan --write`: the versions after the upgrade, written back into the spec text. The
// `yaml` Document API finds each value and its position; only the characters of that value are
// replaced, so comments, blank lines, quoting, flow collections and key order stay byte for byte.
// Only values the spec already holds change (the Kubernetes version is the one exception: a spec
// that leaves it to the default gets it written, or the upgrade would not stick).
import { isMap, isScalar, parseDocument, type Scalar, type YAMLMap } from 'yaml';
import { KuberatorError } from '../errors.js';
import type { pinsAfter } from './plan.js';

export type SpecPins = ReturnType<typeof pinsAfter>;

export interface RewriteResult {
  text: string;
  /** One line per value changed: `spec.kubernetesVersion: 1.35 → 1.36`. */
  changed: string[];
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

export function rewriteSpecVersions(text: string, file: string, pins: SpecPins): RewriteResult {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: false });
  if (doc.errors.length) {
    const e = doc.errors[0]!;
    const at = e.linePos?.[0] ? `:${e.linePos[0].line}:${e.linePos[0].col}` : '';
    throw new KuberatorError('KBR-UPG010', `cannot rewrite ${file}${at}: not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const spec = doc.get('spec', true);
  if (!isMap(spec)) throw new KuberatorError('KBR-UPG011', `cannot rewrite ${file}: it has no spec mapping`);

  const edits: Edit[] = [];
  const changed: string[] = [];
  const expected: Array<{ path: Array<string | number>; value: string }> = [];

  const replace = (path: Array<string | number>, label: string, value: string, alwaysQuote: boolean): void => {
    const node = doc.getIn(path, true);
    if (node === undefined || node === null) return;
    if (!isScalar(node) || !node.range) throw new KuberatorError('KBR-UPG012', `cannot rewrite ${file}: ${label} is not a plain value (an alias or a collection); change it by hand to "${value}"`);
    expected.push({ path, value });
    if (String(node.value) === value) return;
    edits.push({ start: node.range[0], end: node.range[1], text: scalarText(node, value, alwaysQuote) });
    changed.push(`${label}: ${String(node.value)} → ${value}`);
  };

  // The cluster's version: replaced where it is, added after `region` where it is not.
  if (spec.has('kubernetesVersion')) replace(['spec', 'kubernetesVersion'], 'spec.kubernetesVersion', pins.kubernetesVersion, true);
  else {
    edits.push(insertVersion(text, file, spec, pins.kubernetesVersion));
    expected.push({ path: ['spec', 'kubernetesVersion'], value: pins.kubernetesVersion });
    changed.push(`spec.kubernetesVersion: (not set, the default) → ${pins.kubernetesVersion}`);
  }

  // Add-on pins that exist: a version string, or a mapping with a `version` key.
  for (const [addon, version] of Object.entries(pins.addons)) {
    const node = doc.getIn(['spec', 'addons', 'versions', addon], true);
    if (node === undefined || node === null) continue;
    if (isMap(node)) replace(['spec', 'addons', 'versions', addon, 'version'], `spec.addons.versions.${addon}.version`, version, false);
    else replace(['spec', 'addons', 'versions', addon], `spec.addons.versions.${addon}`, version, false);
  }

  // Node groups that pin their own version.
  for (const g of pins.nodeGroups) {
    const m = /^spec\.nodeGroups\[(\d+)\]$/.exec(g.path);
    if (!m) continue;
    replace(['spec', 'nodeGroups', Number(m[1]), 'kubernetesVersion'], `${g.path}.kubernetesVersion`, g.kubernetesVersion, true);
  }

  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);

  // The result must read back with exactly the new values; anything else is a bug here.
  const check = parseDocument(out, { uniqueKeys: false });
  const wrong = expected.filter((x) => String(check.getIn(x.path)) !== x.value);
  if (check.errors.length || wrong.length) {
    throw new KuberatorError('KBR-UPG013', `rewriting ${file} went wrong at ${wrong.map((x) => x.path.join('.')).join(', ') || check.errors[0]!.message}; the file was not changed`, 'internal');
  }
  return { text: out, changed };
}

/** The new value in the style of the old one; versions of the cluster and node groups are always quoted strings. */
function scalarText(node: Scalar, value: string, alwaysQuote: boolean): string {
  if (node.type === 'QUOTE_SINGLE') return `'${value.replace(/'/g, "''")}'`;
  if (node.type === 'PLAIN' && !alwaysQuote && staysString(value)) return value;
  return JSON.stringify(value);
}

/** Whether a plain scalar reads back as this same string (not a number, boolean or null). */
function staysString(value: string): boolean {
  const d = parseDocument(value);
  return !d.errors.length && d.contents !== null && isScalar(d.contents) && d.contents.value === value;
}

/** `kubernetesVersion: "1.36"` as a new key of the spec: on the line after `region`, else before the first key. */
function insertVersion(text: string, file: string, spec: YAMLMap, version: string): Edit {
  const entry = `kubernetesVersion: ${JSON.stringify(version)}`;
  const first = spec.items[0];
  const firstKey = first && isScalar(first.key) ? first.key : undefined;
  if (!firstKey?.range) throw new KuberatorError('KBR-UPG011', `cannot rewrite ${file}: the spec mapping is empty`);
  if (spec.flow) return { start: firstKey.range[0], end: firstKey.range[0], text: `${entry}, ` };
  const lineStart = text.lastIndexOf('\n', firstKey.range[0] - 1) + 1;
  const indent = text.slice(lineStart, firstKey.range[0]);
  const region = spec.items.find((p) => isScalar(p.key) && p.key.value === 'region');
  const after = region && isScalar(region.value) && region.value.range ? region.value.range[1] : undefined;
  if (after !== undefined && /^\s*$/.test(indent)) {
    const eol = text.indexOf('\n', after);
    const crlf = eol > 0 && text[eol - 1] === '\r';
    const at = eol < 0 ? text.length : crlf ? eol - 1 : eol;
    return { start: at, end: at, text: `${crlf ? '\r\n' : '\n'}${indent}${entry}` };
  }
  return { start: lineStart, end: lineStart, text: `${indent}${entry}\n` };
}
