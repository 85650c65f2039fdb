// Manifests in, Kubernetes objects out. A stream is split into documents first, so one broken
// document is a finding of its own and the rest are still read. Decoding uses js-yaml (fast);
// positions are found only for the paths that get a finding (see locate.ts), so a large input
// costs one parse.
import * as jsyaml from 'js-yaml';
import { CORE_SCHEMA, load as loadYaml, type Type, YAMLException } from 'js-yaml';
import type { Location } from '../errors.js';
import { locateInDocument, type LineIndex, lineIndex, offsetToPosition } from './locate.js';
import { type KubeObject, type MalformedDocument, toKubeObject } from './objects.js';

export interface ManifestFile {
  file: string;
  text: string;
}

export interface LoadedManifests {
  objects: KubeObject[];
  malformed: MalformedDocument[];
  /** Documents read, empty ones included. */
  documents: number;
  /** Documents that are YAML but not Kubernetes objects (Helm values, Kustomize config). */
  skipped: number;
}

/**
 * YAML 1.2 core types plus merge keys (`<<`), as Kubernetes reads manifests: timestamps and
 * binary stay strings (the default schema would turn `creationTimestamp` into a Date).
 */
// (js-yaml exports its built-in types at run time; its type declarations omit them.)
const SCHEMA = CORE_SCHEMA.extend({ implicit: [(jsyaml as unknown as { types: { merge: Type } }).types.merge] });

/** Document boundaries: a `---` or `...` line at column 0. */
const SEPARATOR = /^(?:---|\.\.\.)(?=[ \t]|\r?$)/gm;

interface DocSlice {
  text: string;
  /** Offset of the slice in the file. */
  start: number;
}

export function splitDocuments(text: string): DocSlice[] {
  const out: DocSlice[] = [];
  let start = 0;
  SEPARATOR.lastIndex = 0;
  for (let m = SEPARATOR.exec(text); m; m = SEPARATOR.exec(text)) {
    out.push({ text: text.slice(start, m.index), start });
    // The document after `---` starts on the separator line itself (`--- !tag`, `--- {…}`), past the marker.
    start = m.index + 3;
    if (m[0] === '...') {
      // `...` ends a document; whatever follows up to the next `---` is not content.
      const next = text.indexOf('\n', start);
      start = next === -1 ? text.length : next + 1;
    }
  }
  out.push({ text: text.slice(start), start });
  return out;
}

export function loadManifests(files: readonly ManifestFile[]): LoadedManifests {
  const objects: KubeObject[] = [];
  const malformed: MalformedDocument[] = [];
  let documents = 0;
  let skipped = 0;
  for (const { file, text } of files) {
    let lines: LineIndex | undefined;
    const position = (offset: number) => offsetToPosition((lines ??= lineIndex(text)), offset);
    for (const doc of splitDocuments(text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text)) {
      documents++;
      let value: unknown;
      try {
        value = loadYaml(doc.text, { filename: file, schema: SCHEMA });
      } catch (e) {
        if (!(e instanceof YAMLException)) throw e;
        const mark = e.mark as { position?: number } | undefined;
        const at = position(doc.start + Math.min(mark?.position ?? 0, doc.text.length));
        malformed.push({ location: { file, ...at }, message: `not valid YAML: ${e.reason || e.message.split('\n')[0]}` });
        continue;
      }
      if (value === null || value === undefined) continue;
      if (notAManifest(value)) {
        skipped++;
        continue;
      }
      const startOffset = doc.start + firstContent(doc.text);
      const list = listItems(value);
      if (!list) {
        const at = position(startOffset);
        malformed.push({ location: { file, ...at }, message: describeNonObject(value) });
        continue;
      }
      list.items.forEach((item, i) => {
        const obj = toKubeObject(item);
        const prefix = list.isList ? `items[${i}]` : '';
        if (!obj) {
          const loc = locateInDocument(doc.text, prefix || '', position, doc.start);
          malformed.push({ location: { file, ...loc }, message: describeNonObject(item) });
          return;
        }
        const locate = (path: string): Location => ({ file, ...locateInDocument(doc.text, join(prefix, path), position, doc.start) });
        const start = prefix ? locate('') : { file, ...position(startOffset) };
        obj.source = { file, line: start.line, col: start.col, locate };
        objects.push(obj);
      });
    }
  }
  return { objects, malformed, documents, skipped };
}

/**
 * YAML that sits beside manifests but is not one: Helm values and Chart.yaml (no kind and no
 * metadata, or a `kind` value with neither apiVersion nor metadata), and Kustomize's own
 * configuration files.
 * A directory walk meets these all the time; they are counted, not reported.
 */
function notAManifest(value: unknown): boolean {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  if (typeof v.apiVersion === 'string' && v.apiVersion.startsWith('kustomize.config.k8s.io/')) return true;
  // An object with metadata but no kind is a broken manifest; without metadata it is some other YAML.
  if (typeof v.kind !== 'string') return v.metadata === undefined;
  return v.apiVersion === undefined && v.metadata === undefined;
}

/** The objects a document holds: itself, or the items of a `kind: List` (or `…List`). */
function listItems(value: unknown): { items: unknown[]; isList: boolean } | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.kind !== 'string') return undefined;
  if (v.kind.endsWith('List') && Array.isArray(v.items)) return { items: v.items, isList: true };
  return { items: [value], isList: false };
}

function describeNonObject(v: unknown): string {
  if (Array.isArray(v)) return 'not a Kubernetes object: the document is a list, not a mapping with apiVersion and kind';
  if (v && typeof v === 'object') return 'not a Kubernetes object: no kind';
  return `not a Kubernetes object: the document is a ${typeof v} value`;
}

function firstContent(text: string): number {
  const m = /^(?:[ \t]*(?:#.*)?\r?\n)*[ \t]*/.exec(text);
  return m ? m[0].length : 0;
}

function join(prefix: string, path: string): string {
  if (!prefix) return path;
  if (!path) return prefix;
  return path.startsWith('[') ? prefix + path : `${prefix}.${path}`;
}
