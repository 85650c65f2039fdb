// A small YAML emitter for JSON data (objects, arrays, strings, numbers, booleans, null): the
// rendered manifests. General-purpose YAML libraries pay for anchors, comments and styles we never
// use; this writes block style, quotes any string that could read as something else (a number, a
// boolean, a date, an indicator) as a JSON string (valid YAML), and multi-line strings as literal
// blocks. A property test checks parse(emit(x)) equals x for arbitrary JSON.

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Words YAML 1.1 readers (kubectl's among them) take for booleans or null. */
const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null|~)$/i;
/** Strings made only of digits and number punctuation: numbers, versions, dates, times, octals. */
const NUMBERISH = /^[-+.]?\d[\d_.:eE+-]*$/;
/** Characters safe anywhere in a plain scalar (no indicators, no ": " or " #" possible). */
const PLAIN = /^[A-Za-z0-9_./$(][A-Za-z0-9_./@$()%=+-]*(?: [A-Za-z0-9_./@$()%=+-]+)*$/;
const SPECIAL_FLOAT = /^[-+]?\.(?:inf|nan)$/i;

function scalar(s: string): string {
  if (s !== '' && PLAIN.test(s) && !RESERVED.test(s) && !NUMBERISH.test(s) && !SPECIAL_FLOAT.test(s)) return s;
  return JSON.stringify(s);
}

function literal(s: string, indent: string): string | undefined {
  // Literal blocks keep text as written; they cannot start with a space or hold a carriage return.
  if (!s.includes('\n') || s.includes('\r') || /^[ \n]/.test(s) || /[^\S\n]\n|[^\S\n]$/.test(s)) return undefined;
  const chomp = s.endsWith('\n\n') ? '+' : s.endsWith('\n') ? '' : '-';
  const body = (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n').map((l) => (l ? indent + l : ''));
  return `|${chomp}\n${body.join('\n')}`;
}

function inline(v: Json, indent: string): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} as YAML`);
    return String(v);
  }
  if (typeof v === 'string') return literal(v, indent) ?? scalar(v);
  if (Array.isArray(v)) return v.length ? undefined : '[]';
  return Object.keys(v).length ? undefined : '{}';
}

function block(v: Json, indent: string): string {
  if (Array.isArray(v)) {
    return v
      .map((item) => {
        const one = inline(item, `${indent}  `);
        if (one !== undefined) return `${indent}- ${one}`;
        // A nested collection starts on the dash line, its rest aligned after "- ".
        return `${indent}- ${block(item, `${indent}  `).slice(indent.length + 2)}`;
      })
      .join('\n');
  }
  return Object.entries(v as Record<string, Json>)
    .map(([k, item]) => {
      const key = scalar(k);
      const one = inline(item, `${indent}  `);
      if (one !== undefined) return `${indent}${key}: ${one}`;
      return `${indent}${key}:\n${block(item, `${indent}  `)}`;
    })
    .join('\n');
}

/** One YAML document (without `---`), ending in a newline. */
export function emitYaml(value: unknown): string {
  const v = JSON.parse(JSON.stringify(value)) as Json;
  if (typeof v === 'string') return `${scalar(v)}\n`;
  return `${inline(v, '  ') ?? block(v, '')}\n`;
}
