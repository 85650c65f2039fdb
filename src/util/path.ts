// Spec paths: arrays for walking, strings (`spec.nodeGroups[1].name`) for people and for lookup.

export type PathSegment = string | number;

export function pathToString(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** The path itself, then each ancestor, nearest first. */
export function ancestors(path: string): string[] {
  const out = [path];
  let p = path;
  for (;;) {
    const m = /^(.*)(\.[A-Za-z_][A-Za-z0-9_]*|\[[^\]]*\])$/.exec(p);
    if (!m || !m[1]) break;
    p = m[1];
    out.push(p);
  }
  return out;
}
