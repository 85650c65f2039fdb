// Random mutations of valid specs never crash the CLI: every run ends in exit 0, 1 or 2 with a
// message, never an internal error (exit 3) or a stack trace.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parse, stringify } from 'yaml';
import { readRepoFile, runCli, TODAY } from './helpers/run-cli.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

const EXAMPLES = ['production', 'minimal', 'existing-vpc', 'field-mistakes'].map((n) => parse(readRepoFile(`examples/${n}.yaml`)) as Json);

function paths(v: Json, prefix: Path = [], out: Path[] = []): Path[] {
  out.push(prefix);
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...prefix, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...prefix, k], out);
  return out;
}

function parentOf(root: Json, path: Path): Json | undefined {
  let v: Json | undefined = root;
  for (const seg of path.slice(0, -1)) v = v && typeof v === 'object' ? (v as Record<string | number, Json>)[seg] : undefined;
  return v;
}

type Mutation = { kind: 'delete' | 'set' | 'addKey' | 'duplicate' | 'tweak'; pick: number; value: Json; key: string; n: number };

/** Every string in the examples: swapping one for another explores near-valid specs (enum values, names). */
const STRINGS = [...new Set(EXAMPLES.flatMap((e) => paths(e).map((p) => p.reduce<Json | undefined>((v, k) => (v && typeof v === 'object' ? (v as Record<string | number, Json>)[k] : undefined), e)).filter((v): v is string => typeof v === 'string')))];

/** A plausible neighbour of a value of the same type. */
function tweak(v: Json, n: number): Json {
  if (typeof v === 'number') return [0, 1, -1, v + 1, v - 1, v * 100, 1e9][n % 7]!;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') return n % 5 === 0 ? '' : STRINGS[n % STRINGS.length]!;
  if (Array.isArray(v)) return n % 2 ? [] : v.slice(0, 1);
  return v;
}

const values: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(-1, 0, 1, 2 ** 31, 1e308, 0.5, '', 'm5.large', 't2.micro', '10.0.0.0/8', '0.0.0.0/0', '1.20', '1.35', 'spot', 'mixed', 'perAz', 'none', {}, [], null, true, false),
);
const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('delete', 'set', 'addKey', 'duplicate', 'tweak', 'tweak', 'tweak'),
  n: fc.nat(),
  pick: fc.nat(),
  value: values,
  key: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('nodeGroup', 'instanceType', 'zones', 'nat', 'minSize', '__proto__', 'constructor')),
});

function apply(root: Json, m: Mutation): Json {
  const all = paths(root);
  const path = all[m.pick % all.length]!;
  if (path.length === 0) return m.kind === 'set' ? m.value : root;
  const parent = parentOf(root, path);
  const key = path[path.length - 1]!;
  if (!parent || typeof parent !== 'object') return root;
  const p = parent as Record<string | number, Json>;
  if (m.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(key as number, 1);
    else delete p[key];
  } else if (m.kind === 'set') p[key] = m.value;
  else if (m.kind === 'tweak') p[key] = tweak(p[key]!, m.n);
  else if (m.kind === 'addKey') {
    const target = p[key];
    if (target && typeof target === 'object' && !Array.isArray(target)) Object.defineProperty(target, m.key, { value: m.value, enumerable: true, writable: true, configurable: true });
  } else if (Array.isArray(parent)) parent.push(structuredClone(parent[key as number]!));
  return root;
}

function check(text: string): void {
  const r = runCli(['plan', 'mutated.yaml', '--date', TODAY], { files: { 'mutated.yaml': text } });
  assert.ok([0, 1, 2].includes(r.code), `exit ${r.code}\n${r.stderr}\n--- input ---\n${text}`);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `stack or internal error for:\n${text}\n${r.stderr}`);
  if (r.code === 2) assert.ok(r.stderr.trim().length > 0, 'an input error says what is wrong');
  else assert.match(r.stdout, /^Cluster /);
}

describe('property: mutated specs never crash plan', () => {
  test('structural mutations of the examples', () => {
    fc.assert(
      fc.property(fc.nat(EXAMPLES.length - 1), fc.array(mutation, { minLength: 1, maxLength: 4 }), (which, muts) => {
        let doc: Json = structuredClone(EXAMPLES[which]!) as Json;
        for (const m of muts) doc = apply(doc, m);
        check(stringify(doc));
      }),
      { numRuns: 1500, seed: 20261122 },
    );
  });

  test('raw text damage: truncation and inserted characters', () => {
    const texts = ['production', 'minimal', 'field-mistakes'].map((n) => readRepoFile(`examples/${n}.yaml`));
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.nat(), fc.string({ maxLength: 6, unit: fc.constantFrom(':', '-', ' ', '\n', '[', '{', '"', "'", '&', '*', '!', '#', 'x', '\t', '1') }), fc.boolean(), (which, at, insert, truncate) => {
        const t = texts[which]!;
        const i = at % (t.length + 1);
        check(truncate ? t.slice(0, i) : t.slice(0, i) + insert + t.slice(i));
      }),
      { numRuns: 400, seed: 20261122 },
    );
  });
});
