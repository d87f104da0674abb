import {
  cidrContains,
  cidrSubnet,
  cidrsOverlap,
  formatCidr,
  parseCidr,
} from '../../../modules/core/ipv4';

describe('ipv4', () => {
  it('parses and formats a CIDR round trip', () => {
    expect(formatCidr(parseCidr('10.20.0.0/16'))).toBe('10.20.0.0/16');
    expect(parseCidr('192.168.1.0/24')).toEqual({ base: 0xc0a80100, prefixLength: 24 });
  });

  it.each(['10.0.0/16', '10.0.0.256/24', '10.0.0.0/33', 'abc', '10.0.0.0'])(
    'rejects malformed %s',
    (cidr) => {
      expect(() => parseCidr(cidr)).toThrow(/invalid IPv4 CIDR/);
    },
  );

  it('rejects host bits and suggests the network address', () => {
    expect(() => parseCidr('10.0.0.1/16')).toThrow(/10\.0\.0\.0\/16/);
  });

  it('matches Terraform cidrsubnet', () => {
    // Values from `terraform console`: cidrsubnet("10.0.0.0/16", 3, 2) and friends.
    expect(cidrSubnet('10.0.0.0/16', 3, 2)).toBe('10.0.64.0/19');
    expect(cidrSubnet('10.0.0.0/16', 4, 9)).toBe('10.0.144.0/20');
    expect(cidrSubnet('172.16.0.0/24', 4, 15)).toBe('172.16.0.240/28');
    expect(cidrSubnet('10.0.0.0/8', 0, 0)).toBe('10.0.0.0/8');
  });

  it('refuses subnets that do not fit', () => {
    expect(() => cidrSubnet('10.0.0.0/16', 2, 4)).toThrow(/does not fit/);
    expect(() => cidrSubnet('10.0.0.0/30', 3, 0)).toThrow(/cannot add/);
  });

  it('detects overlap and containment', () => {
    expect(cidrsOverlap('10.0.0.0/16', '10.0.255.0/24')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.0.128.0/20')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.0.0.0/15')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.1.0.0/20')).toBe(false);
  });
});
