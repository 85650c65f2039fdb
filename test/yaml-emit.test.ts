import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parse } from 'yaml';
import { emitYaml } from '../src/util/yaml-emit.js';

describe('emitYaml', () => {
  test('reads back as the same data, for arbitrary JSON', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', ' ', ':', '#', '-', '?', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`', '\n', '\t', '\\', '.', '/', 'é', '→', 'e', '+', '~', '=') });
    const data = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), text, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(text, tie('value'), { maxKeys: 4 })),
    })).value;
    fc.assert(
      fc.property(data, (v) => {
        const json = JSON.parse(JSON.stringify(v)) as unknown;
        assert.deepEqual(parse(emitYaml(json)), json);
      }),
      { numRuns: 3000, seed: 7 },
    );
  });
  test('strings that other readers would take for numbers, booleans or dates are quoted', () => {
    for (const s of ['1.35', '443', '2026-11-22', '10:30', '0755', 'yes', 'Off', 'y', 'null', '~', '1e5', '.inf', '', ' lead', 'a: b', 'a #c', '-x', '*x']) {
      assert.match(emitYaml({ k: s }), /^k: "/, s);
    }
    for (const s of ['500Mi', '10%', '0.0.0.0/0', 'v1.35.2', 'node.kuberator.dev/role', 'ELBSecurityPolicy-TLS13-1-2-2021-06', 'kube-system']) {
      assert.equal(emitYaml({ k: s }), `k: ${s}\n`, s);
    }
  });
  test('block layout: nested maps, lists of maps, empty collections, literal blocks', () => {
    const out = emitYaml({ a: { b: [1, { c: 'x', d: [] }], e: {} }, s: 'line one\n  line two\n' });
    assert.equal(out, 'a:\n  b:\n    - 1\n    - c: x\n      d: []\n  e: {}\ns: |\n  line one\n    line two\n');
  });
});
