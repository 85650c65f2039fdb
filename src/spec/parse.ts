// Reading a spec: strict YAML with positions, then the schema. Every problem is collected and
// reported with its file:line:col; nothing is thrown on the first one. Pure: takes text, returns data.
import { type Document, isMap, isPair, isScalar, isSeq, LineCounter, parseAllDocuments, type Node, visit } from 'yaml';
import type { z } from 'zod';
import { type Location, SpecError, type SpecIssue } from '../errors.js';
import { type PathSegment, ancestors, pathToString } from '../util/path.js';
import { didYouMean } from '../util/suggest.js';
import { type ClusterSpec, clusterSpecSchema } from './schema.js';

/** Where each spec path starts in the source: a map key's position, or a list item's. */
export class SourceMap {
  constructor(
    readonly file: string,
    private readonly positions: ReadonlyMap<string, { line: number; col: number }>,
  ) {}

  /** The location of the path, or of its nearest ancestor present in the file. */
  locate(path: string): Location | undefined {
    for (const p of ancestors(path)) {
      const pos = this.positions.get(p);
      if (pos) return { file: this.file, ...pos };
    }
    return undefined;
  }

  static empty(file: string): SourceMap {
    return new SourceMap(file, new Map());
  }
}

export interface ParsedSpec {
  spec: ClusterSpec;
  source: SourceMap;
}

/** Parse and validate spec text. Throws SpecError with every issue found. */
export function parseSpec(text: string, file: string): ParsedSpec {
  const { value, source } = parseWithSchema(text, file, clusterSpecSchema, {
    empty: 'the file is empty; a Cluster spec starts with apiVersion: kuberator.dev/v1alpha1',
    shape: 'expected a mapping with apiVersion, kind, metadata and spec',
  });
  return { spec: value, source };
}

/**
 * One YAML document checked against a zod schema: every syntax and schema problem is collected
 * with its file:line:col (unknown keys get a did-you-mean), and thrown together as a SpecError.
 */
export function parseWithSchema<T>(text: string, file: string, schema: z.ZodType<T>, messages: { empty: string; shape: string }): { value: T; source: SourceMap } {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number): Location => ({ file, ...lineCounter.linePos(offset) });

  if (!Array.isArray(docs)) throw new SpecError(file, [{ path: '(document)', message: 'the file holds no YAML document', location: at(0) }]);
  const real = docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (real.length === 0) throw new SpecError(file, [{ path: '(document)', message: messages.empty, location: at(0) }]);
  if (real.length > 1) {
    const second = real[1]!;
    throw new SpecError(file, [{ path: '(document)', message: 'expected one YAML document, found several', location: at(second.range[0]) }]);
  }
  const doc = real[0]!;
  const syntax = [...doc.errors].map((e) => ({ path: '(yaml)', message: e.message.split('\n')[0]!, location: at(e.pos[0]) }));
  if (syntax.length) throw new SpecError(file, syntax);

  const positions = new Map<string, { line: number; col: number }>();
  indexPositions(doc.contents as Node | null, [], positions, lineCounter);
  const source = new SourceMap(file, positions);

  const data = toPlainData(doc, at);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SpecError(file, [{ path: '(document)', message: messages.shape, location: at(0) }]);
  }
  const result = schema.safeParse(data);
  if (result.success) return { value: result.data, source };

  const issues: SpecIssue[] = [];
  for (const issue of flatten(result.error.issues, data)) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const path = pathToString([...issue.path, key]);
        const known = knownKeysAt(schema, issue.path);
        const hint = didYouMean(key, known) || (known.length > 0 && known.length <= 8 ? `; expected one of ${known.join(', ')}` : '');
        issues.push({ path, message: `unknown field '${key}'${hint}`, location: source.locate(path) });
      }
      continue;
    }
    const path = pathToString(issue.path) || '(document)';
    issues.push({ path, message: describe(issue, valueAt(data, issue.path)), location: source.locate(path) });
  }
  issues.sort(byLocation);
  throw new SpecError(file, issues);
}

export function byLocation(a: SpecIssue, b: SpecIssue): number {
  const la = a.location;
  const lb = b.location;
  if (la && lb && (la.line !== lb.line || la.col !== lb.col)) return la.line - lb.line || la.col - lb.col;
  return a.path.localeCompare(b.path);
}

/** The document as plain data; an alias to an anchor that does not exist (or a billion-laughs
 * expansion) becomes an input error at the alias, not an exception. */
function toPlainData(doc: Document, at: (offset: number) => Location): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    let where: Location = at(0);
    visit(doc, {
      Alias(_key, node) {
        if (node.resolve(doc) === undefined && node.range) {
          where = at(node.range[0]);
          return visit.BREAK;
        }
        return undefined;
      },
    });
    throw new SpecError(where.file, [{ path: '(yaml)', message: (e as Error).message.replace(/^\w*Error: /, ''), location: where }]);
  }
}

function indexPositions(node: Node | null, path: PathSegment[], out: Map<string, { line: number; col: number }>, lc: LineCounter): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const key = String(pair.key.value);
      const childPath = [...path, key];
      if (pair.key.range) out.set(pathToString(childPath), lc.linePos(pair.key.range[0]));
      indexPositions(pair.value as Node | null, childPath, out, lc);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const childPath = [...path, i];
      const n = item as Node | null;
      if (n?.range) out.set(pathToString(childPath), lc.linePos(n.range[0]));
      indexPositions(n, childPath, out, lc);
    });
  }
}

type Issue = z.core.$ZodIssue;

/** Unions report every branch's errors; keep only the branch that matches the value's shape. */
function flatten(issues: readonly Issue[], root: unknown, prefix: PropertyKey[] = []): Array<Issue & { path: PathSegment[] }> {
  const out: Array<Issue & { path: PathSegment[] }> = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path] as PathSegment[];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const value = valueAt(root, path);
      const shapeMismatch = (errs: readonly Issue[]) => errs.some((e) => e.path.length === 0 && (e.code === 'invalid_type' || e.code === 'invalid_value'));
      const branch = issue.errors.find((errs) => !shapeMismatch(errs));
      if (branch && typeof value === 'object' && value !== null) {
        out.push(...flatten(branch, root, path));
        continue;
      }
    }
    out.push({ ...issue, path });
  }
  return out;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function kindOf(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `"${v}"`;
  return `${typeof v} ${String(v)}`;
}

function describe(issue: Issue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (value === undefined) return 'is required';
      const hint = issue.expected === 'string' && typeof value === 'number' ? ' (quote it in YAML, e.g. "1.30")' : '';
      return `expected ${issue.expected}, got ${kindOf(value)}${hint}`;
    }
    case 'invalid_value':
      return `expected ${issue.values.map((v) => JSON.stringify(v)).join(' | ')}, got ${kindOf(value)}${typeof value === 'string' ? didYouMean(value, issue.values.map(String)) : ''}`;
    case 'invalid_union':
      return `${issue.message === 'Invalid input' ? 'not one of the accepted forms' : issue.message}, got ${kindOf(value)}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? '>' : '≥'} ${String(issue.minimum)}${issue.origin === 'array' ? ' item(s)' : issue.origin === 'string' ? ' character(s)' : ''}, got ${kindOf(value)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? '<' : '≤'} ${String(issue.maximum)}${issue.origin === 'array' ? ' item(s)' : issue.origin === 'string' ? ' characters' : ''}, got ${kindOf(value)}`;
    case 'invalid_format':
    case 'custom':
      return `${issue.message}, got ${kindOf(value)}`;
    case 'invalid_key':
      return `invalid key: ${issue.message}`;
    default:
      return issue.message;
  }
}

/** The field names the schema accepts at a path, for did-you-mean. */
export function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let nodes: unknown[] = [schema];
  for (const seg of [...path, null]) {
    const next: unknown[] = [];
    for (const n of nodes) collect(n, seg, next);
    if (seg === null) return [...new Set(next as string[])];
    nodes = next;
  }
  return [];

  function collect(n: unknown, seg: PropertyKey | null, into: unknown[]): void {
    const def = (n as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
    if (!def) return;
    switch (def.type) {
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
        return collect(def.innerType, seg, into);
      case 'union':
        for (const o of def.options as unknown[]) collect(o, seg, into);
        return;
      case 'object': {
        const shape = def.shape as Record<string, unknown>;
        if (seg === null) into.push(...Object.keys(shape));
        else if (typeof seg === 'string' && shape[seg]) into.push(shape[seg]);
        return;
      }
      case 'array':
        if (typeof seg === 'number') into.push(def.element);
        return;
      case 'record': {
        if (seg !== null) into.push(def.valueType);
        // Records keyed by an enum (eviction signals) suggest the enum's values.
        const keyDef = (def.keyType as { _zod?: { def?: { type?: string; entries?: Record<string, string> } } })._zod?.def;
        if (seg === null && keyDef?.type === 'enum' && keyDef.entries) into.push(...Object.values(keyDef.entries));
        return;
      }
    }
  }
}
