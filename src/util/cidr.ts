// IPv4 CIDR arithmetic for subnet planning and overlap checks.

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

export function parseCidr(text: string): Cidr | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const addr = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  return { base: addr, prefix };
}

/** True when the address has no bits set below the prefix (10.0.0.0/16, not 10.0.1.0/16). */
export function isAligned(c: Cidr): boolean {
  return (c.base & ~mask(c.prefix)) >>> 0 === 0;
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/** Addresses usable for ENIs: AWS keeps five in every subnet. */
export function usableInSubnet(c: Cidr): number {
  return Math.max(0, size(c) - 5);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const aEnd = a.base + size(a) - 1;
  const bEnd = b.base + size(b) - 1;
  return a.base <= bEnd && b.base <= aEnd;
}

export function contains(outer: Cidr, inner: Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.base >= outer.base && inner.base + size(inner) <= outer.base + size(outer);
}

export function formatCidr(c: Cidr): string {
  const b = c.base;
  return `${b >>> 24}.${(b >>> 16) & 255}.${(b >>> 8) & 255}.${b & 255}/${c.prefix}`;
}

/** The n-th block of the given prefix inside `parent`, counting from its start. */
export function nthBlock(parent: Cidr, prefix: number, n: number): Cidr {
  return { base: (parent.base + n * 2 ** (32 - prefix)) >>> 0, prefix };
}
