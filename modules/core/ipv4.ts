/**
 * Small IPv4 CIDR arithmetic, done in TypeScript so the synthesized JSON shows literal subnet CIDRs
 * (reviewable in a plan, checkable in tests) instead of `cidrsubnet()` expressions.
 */

/** A parsed IPv4 block: `base` is the network address as an unsigned 32-bit number. */
export interface Ipv4Block {
  readonly base: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; throws when malformed or when host bits are set (`10.0.0.1/16`). */
export function parseCidr(cidr: string): Ipv4Block {
  const match = CIDR_PATTERN.exec(cidr);
  if (!match) throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefixLength > 32) {
    throw new Error(`invalid IPv4 CIDR "${cidr}"`);
  }
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  const size = 2 ** (32 - prefixLength);
  if (address % size !== 0) {
    throw new Error(
      `CIDR "${cidr}" has host bits set; did you mean ${formatCidr({ base: address - (address % size), prefixLength })}?`,
    );
  }
  return { base: address, prefixLength };
}

/** Formats a block back to `a.b.c.d/n`. */
export function formatCidr(block: Ipv4Block): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(block.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${block.prefixLength}`;
}

/** Number of addresses in a block. */
export function blockSize(block: Ipv4Block): number {
  return 2 ** (32 - block.prefixLength);
}

/**
 * Terraform's `cidrsubnet(prefix, newbits, netnum)`: the `netnum`-th block of length
 * `prefix + newbits` inside `cidr`.
 */
export function cidrSubnet(cidr: string, newBits: number, netNum: number): string {
  const parent = parseCidr(cidr);
  const prefixLength = parent.prefixLength + newBits;
  if (!Number.isInteger(newBits) || newBits < 0 || prefixLength > 32) {
    throw new Error(`cannot add ${newBits} bits to ${cidr}`);
  }
  if (!Number.isInteger(netNum) || netNum < 0 || netNum >= 2 ** newBits) {
    throw new Error(`network number ${netNum} does not fit in ${newBits} bits of ${cidr}`);
  }
  return formatCidr({ base: parent.base + netNum * 2 ** (32 - prefixLength), prefixLength });
}

/** True when the two blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = parseCidr(a);
  const y = parseCidr(b);
  return x.base < y.base + blockSize(y) && y.base < x.base + blockSize(x);
}

/** True when `inner` lies entirely inside `outer`. */
export function cidrContains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  return (
    i.prefixLength >= o.prefixLength &&
    i.base >= o.base &&
    i.base + blockSize(i) <= o.base + blockSize(o)
  );
}
