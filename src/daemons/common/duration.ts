// Durations on the daemons' command lines: `500ms`, `5s`, `1m`, `1h`, or combined as `1m30s`.

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export interface DurationGrammar {
  /** What a bare number counts in, in milliseconds (1: milliseconds, 1000: seconds). */
  bareMs: number;
  /** The units accepted. @default all of ms, s, m, h */
  units?: ReadonlyArray<keyof typeof UNIT_MS>;
}

/** Milliseconds, or undefined when the text is not a duration of the grammar. */
export function parseDuration(text: string, grammar: DurationGrammar): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Math.round(Number(t) * grammar.bareMs);
  const units = grammar.units ?? Object.keys(UNIT_MS);
  const parts = [...t.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (!parts.length || parts.map((p) => p[0]).join('') !== t || parts.some((p) => !units.includes(p[2]!))) return undefined;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_MS[p[2]!]!, 0));
}
