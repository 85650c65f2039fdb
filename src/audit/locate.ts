// Where a path lies inside a YAML document, found on demand. Block-style YAML (what kubectl, Helm
// and Kustomize write) is walked line by line by indentation, which costs nothing at parse time;
// flow-style documents and JSON fall back to a full parse with positions. Either way the answer
// is the path's own line, or its deepest ancestor's when the path is absent (a missing field is
// reported where it should have been written).
import { isMap, isScalar, isSeq, type Node, parseDocument } from 'yaml';

/** Offsets where each line starts. */
export type LineIndex = number[];

export function lineIndex(text: string): LineIndex {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset. */
export function offsetToPosition(lines: LineIndex, offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = lines.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lines[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - lines[lo]! + 1 };
}

export type Segment = string | number;

// Rules report the same few paths over and over (`spec.template.spec.containers[0].resources`).
const parsed = new Map<string, Segment[]>();

/** `spec.template.spec.containers[0]["app.kubernetes.io/name"]` → segments (cached; do not mutate). */
export function parsePath(path: string): Segment[] {
  let hit = parsed.get(path);
  if (!hit) {
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(path, (hit = splitPath(path)));
  }
  return hit;
}

function splitPath(path: string): Segment[] {
  const out: Segment[] = [];
  const re = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([^.[]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else out.push(m[3]!);
  }
  return out;
}

/** Position (via `position`, which takes file offsets) of `path` in a document starting at `docStart`. */
export function locateInDocument(doc: string, path: string, position: (offset: number) => { line: number; col: number }, docStart: number): { line: number; col: number } {
  const segs = parsePath(path);
  const offset = locateBlock(doc, segs) ?? locateFlow(doc, segs);
  return position(docStart + offset);
}

// One document's line index is kept while its findings are located (they come together).
let cachedDoc: string | undefined;
let cachedLines: LineIndex = [];

interface Region {
  line: number;
  /** Column where the node's content starts on `line`. */
  col: number;
  /** First line past the node. */
  end: number;
}

function locateBlock(doc: string, segs: readonly Segment[]): number | undefined {
  if (cachedDoc !== doc) {
    cachedDoc = doc;
    cachedLines = lineIndex(doc);
  }
  const starts = cachedLines;
  const text = (l: number) => {
    const s = doc.slice(starts[l], l + 1 < starts.length ? starts[l + 1]! - 1 : doc.length);
    return s.endsWith('\r') ? s.slice(0, -1) : s;
  };
  const at = (l: number, c: number) => starts[l]! + c;
  // Indentation of a line, or -1 for a blank or comment line; reads characters, no slicing.
  const indent = (l: number): number => {
    const end = l + 1 < starts.length ? starts[l + 1]! - 1 : doc.length;
    let i = starts[l]!;
    while (i < end && doc.charCodeAt(i) === 32) i++;
    const ch = doc.charCodeAt(i);
    if (i >= end || ch === 35 /* # */ || ch === 13 /* \r */ || ch === 9 /* \t */) return i >= end || ch !== 9 ? -1 : tabIndent(doc, i, end, starts[l]!);
    return i - starts[l]!;
  };
  // The next line from `from` that starts at the node's column (-1 once a line is indented less):
  // deeper lines belong to children, blank and comment lines to nobody.
  const nextAtColumn = (from: number, node: Region): number => {
    for (let l = from; l < node.end; l++) {
      const ind = indent(l);
      if (ind === -1 || ind > node.col) continue;
      return ind === node.col ? l : -1;
    }
    return -1;
  };

  let first = 0;
  while (first < starts.length && isBlank(text(first))) first++;
  if (first === starts.length) return 0;
  const rootText = text(first);
  const rootCol = indentOf(rootText);
  if (rootText[rootCol] === '{' || rootText[rootCol] === '[' || rootText.startsWith('%')) return undefined;

  let node: Region = { line: first, col: rootCol, end: starts.length };
  let best = at(first, rootCol);
  for (let i = 0; i < segs.length; i++) {
    const seg = segs[i]!;
    if (typeof seg === 'number') {
      let count = -1;
      let found: { line: number; col: number } | undefined;
      for (let l = node.line; l !== -1 && !found; l = nextAtColumn(l + 1, node)) {
        const col = node.col;
        const s = text(l);
        if (!isDash(s, col)) {
          if (l === node.line) return best;
          break;
        }
        if (++count === seg) found = { line: l, col };
      }
      if (!found) return best;
      best = at(found.line, found.col);
      const s = text(found.line);
      let c = found.col + 1;
      while (s[c] === ' ') c++;
      // No need to find where the item ends: searches inside it stop at the first line indented
      // less than its content, which the next item's dash (or a sibling key) always is.
      const end = node.end;
      if (c < s.length && s[c] !== '#') {
        if (s[c] === '{' || s[c] === '[') return best;
        node = { line: found.line, col: c, end };
      } else {
        const next = nextContent(text, found.line + 1, end);
        if (next === undefined) return best;
        node = { line: next, col: indentOf(text(next)), end };
      }
    } else {
      let found: { line: number; col: number; after: number } | undefined;
      for (let l = node.line; l !== -1 && !found; l = nextAtColumn(l + 1, node)) {
        const col = node.col;
        const s = text(l);
        if (l !== node.line && isDash(s, col)) continue;
        const key = keyAt(s, col);
        if (!key) {
          if (l === node.line) return best;
          continue;
        }
        if (key.key === seg) found = { line: l, col, after: key.after };
      }
      if (!found) return best;
      best = at(found.line, found.col);
      if (i === segs.length - 1) break;
      const rest = text(found.line).slice(found.after).trim();
      if (rest && !rest.startsWith('#') && !/^[&!]\S*(\s+#.*)?$/.test(rest)) return best; // value on the same line
      const end = node.end;
      const next = nextContent(text, found.line + 1, end);
      if (next === undefined) return best;
      const col = indentOf(text(next));
      // The value starts on the next line only if it is indented deeper, or is a sequence at the key's column.
      if (col < found.col || (col === found.col && !isDash(text(next), col))) return best;
      node = { line: next, col, end };
    }
  }
  return best;
}

/** A line whose first non-space is a tab: blank if only whitespace or a comment follows, else its indentation. */
function tabIndent(doc: string, i: number, end: number, start: number): number {
  let j = i;
  while (j < end && (doc.charCodeAt(j) === 9 || doc.charCodeAt(j) === 32)) j++;
  return j >= end || doc.charCodeAt(j) === 35 || doc.charCodeAt(j) === 13 ? -1 : i - start;
}

function isBlank(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    if (ch === 32 || ch === 9) continue;
    return ch === 35; // '#'
  }
  return true;
}

function indentOf(s: string): number {
  let i = 0;
  while (s.charCodeAt(i) === 32) i++;
  return i;
}

function isDash(s: string, col: number): boolean {
  return s[col] === '-' && (col + 1 === s.length || s[col + 1] === ' ' || s[col + 1] === '\t');
}

/** The key written at `col` and the offset past its colon, or undefined when the line holds no key there. */
function keyAt(s: string, col: number): { key: string; after: number } | undefined {
  const q = s[col];
  if (q === '"' || q === "'") {
    let i = col + 1;
    let key = '';
    for (; i < s.length; i++) {
      if (q === "'" && s[i] === "'" && s[i + 1] === "'") {
        key += "'";
        i++;
      } else if (q === '"' && s[i] === '\\') {
        key += s[++i] ?? '';
      } else if (s[i] === q) break;
      else key += s[i];
    }
    let j = i + 1;
    while (s[j] === ' ') j++;
    return s[j] === ':' ? { key, after: j + 1 } : undefined;
  }
  for (let i = col; i < s.length; i++) {
    if (s[i] === ':' && (i + 1 === s.length || s[i + 1] === ' ' || s[i + 1] === '\t')) return { key: s.slice(col, i).trimEnd(), after: i + 1 };
    if (s[i] === '#' && s[i - 1] === ' ') return undefined;
  }
  return undefined;
}

function nextContent(text: (l: number) => string, from: number, limit: number): number | undefined {
  for (let l = from; l < limit; l++) if (!isBlank(text(l))) return l;
  return undefined;
}

/** Flow style and JSON: parse the document with positions. */
function locateFlow(doc: string, segs: readonly Segment[]): number {
  const parsed = parseDocument(doc, { keepSourceTokens: false, uniqueKeys: false });
  let node = parsed.contents as Node | null;
  let best = node?.range?.[0] ?? 0;
  for (const seg of segs) {
    if (typeof seg === 'number' && isSeq(node)) {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      best = item.range?.[0] ?? best;
      node = item;
    } else if (typeof seg === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      best = (pair.key as Node).range?.[0] ?? best;
      node = pair.value as Node | null;
    } else break;
  }
  return best;
}
