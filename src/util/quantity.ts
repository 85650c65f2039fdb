// Kubernetes quantities: parse to numbers (bytes, cores) and print back in canonical units.

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** A quantity as a plain number in base units (bytes, or cores for CPU); undefined if malformed. */
export function parseQuantity(q: string | number): number | undefined {
  if (typeof q === 'number') return q;
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/.exec(q.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? '';
  return n * (BINARY[unit] ?? DECIMAL[unit] ?? 1);
}

export const MiB = 2 ** 20;

export function mib(q: string | number): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : v / MiB;
}

export function millicores(q: string | number): number | undefined {
  const v = parseQuantity(q);
  return v === undefined ? undefined : Math.round(v * 1000);
}

export function formatMi(mebibytes: number): string {
  return `${Math.round(mebibytes)}Mi`;
}

export function formatMillicores(m: number): string {
  return `${Math.round(m)}m`;
}

/** A threshold such as `10%` as a fraction, or undefined when it is an absolute quantity. */
export function percent(threshold: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(threshold);
  return m ? Number(m[1]) / 100 : undefined;
}
