// The spec reference, generated from the schema (types, descriptions) and the defaults table.
import { DEFAULTS, type DefaultDoc } from '../model/defaults.js';
import { clusterSpecSchema } from '../spec/schema.js';

export interface SpecField {
  path: string;
  type: string;
  required: boolean;
  description: string;
  default?: DefaultDoc;
}

type Def = Record<string, unknown> & { type: string };
const defOf = (s: unknown): Def => (s as { _zod: { def: Def } })._zod.def;
const descOf = (s: unknown): string | undefined => (s as { description?: string }).description;

/** Every field of the spec, depth first, in schema order. */
export function specFields(): SpecField[] {
  const out: SpecField[] = [];
  walk(clusterSpecSchema, '', true, undefined, out);
  const defaults = Object.values(DEFAULTS) as DefaultDoc[];
  for (const f of out) {
    const d = defaults.find((x) => x.path === f.path.replace(/\[\]/g, '[*]'));
    if (d) f.default = d;
  }
  return out;
}

function walk(schema: unknown, path: string, required: boolean, desc: string | undefined, out: SpecField[]): void {
  let s = schema;
  let description = desc ?? descOf(s);
  while (['optional', 'default', 'nullable'].includes(defOf(s).type)) {
    required = false;
    s = defOf(s).innerType;
    description ??= descOf(s);
  }
  const def = defOf(s);
  if (path) out.push({ path, type: typeName(s), required, description: description ?? '' });
  if (def.type === 'object') {
    for (const [k, v] of Object.entries(def.shape as Record<string, unknown>)) walk(v, path ? `${path}.${k}` : k, true, undefined, out);
  } else if (def.type === 'array' && defOf(def.element).type === 'object') {
    walk(def.element, `${path}[]`, true, '', out);
    out.splice(out.findIndex((f) => f.path === `${path}[]`), 1);
  } else if (def.type === 'union') {
    const obj = (def.options as unknown[]).find((o) => defOf(o).type === 'object' && Object.keys(defOf(o).shape as object).length > 0);
    if (obj) for (const [k, v] of Object.entries(defOf(obj).shape as Record<string, unknown>)) walk(v, `${path}.${k}`, true, undefined, out);
  }
}

function typeName(s: unknown): string {
  const def = defOf(s);
  switch (def.type) {
    case 'string':
      return 'string';
    case 'number':
      return (def.checks as unknown[] | undefined)?.some((c) => defOf(c).format === 'safeint') ? 'integer' : 'number';
    case 'boolean':
      return 'boolean';
    case 'literal':
      return (def.values as unknown[]).map((v) => JSON.stringify(v)).join(' | ');
    case 'enum':
      return Object.values(def.entries as Record<string, string>).join(' | ');
    case 'array':
      return `list of ${typeName(def.element)}`;
    case 'record':
      return `map of ${typeName(def.valueType)}`;
    case 'object':
      return 'object';
    case 'union':
      return (def.options as unknown[]).map(typeName).join(' or ');
    case 'optional':
      return typeName(def.innerType);
    default:
      return def.type;
  }
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function defaultText(d: DefaultDoc): string {
  const v = typeof d.value === 'string' ? d.value : `\`${JSON.stringify(d.value)}\``;
  return `${v}${d.lessons.length ? ` (${d.lessons.join(', ')})` : ''}`;
}

export function specMarkdown(): string {
  const rows = specFields().map((f) => `| \`${f.path}\` | ${cell(f.type)} | ${f.required ? 'yes' : ''} | ${cell(f.default ? defaultText(f.default) : '')} | ${cell(f.description)}${f.default ? ` Default because ${cell(f.default.reason)}.` : ''} |`);
  return ['| field | type | required | default | description |', '| --- | --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
