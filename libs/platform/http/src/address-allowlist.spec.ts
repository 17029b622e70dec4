import { addressAllowed, allowlistEntry } from './address-allowlist';

describe('address allowlist', () => {
  it('stores ranges in their canonical spelling and a single address as its one-address range', () => {
    expect(allowlistEntry('203.0.113.0/24')).toEqual({ cidr: '203.0.113.0/24' });
    expect(allowlistEntry(' 198.51.100.7 ')).toEqual({ cidr: '198.51.100.7/32' });
    expect(allowlistEntry('2001:DB8:0:0::/32')).toEqual({ cidr: '2001:db8::/32' });
    expect(allowlistEntry('::1')).toEqual({ cidr: '::1/128' });
    expect(allowlistEntry('::ffff:10.0.0.0/104')).toEqual({ cidr: '10.0.0.0/8' });
  });

  it('says what is wrong with an entry that is not a range', () => {
    expect(allowlistEntry('example.com')).toEqual({ problem: '"example.com" is not an IP address or CIDR range' });
    expect(allowlistEntry('10.0.0.0/33')).toEqual({ problem: '"10.0.0.0/33" is not a CIDR range' });
    expect(allowlistEntry('10.1.2.3/8')).toEqual({
      problem: '"10.1.2.3/8" has host bits set: the range is 10.0.0.0/8',
    });
    expect(allowlistEntry('')).toMatchObject({ problem: expect.any(String) });
  });

  it('admits an address in one of the ranges, and only then', () => {
    const list = ['203.0.113.0/24', '2001:db8::/32'];
    expect(addressAllowed('203.0.113.200', list)).toBe(true);
    expect(addressAllowed('203.0.114.1', list)).toBe(false);
    expect(addressAllowed('2001:db8:1::5', list)).toBe(true);
    expect(addressAllowed('2001:db9::5', list)).toBe(false);
    expect(addressAllowed('not-an-address', list)).toBe(false);
    expect(addressAllowed('203.0.113.1', [])).toBe(false);
  });

  it('judges a dual-stack socket’s IPv4-mapped spelling as the IPv4 address it is', () => {
    expect(addressAllowed('::ffff:203.0.113.9', ['203.0.113.0/24'])).toBe(true);
    expect(addressAllowed('::ffff:198.51.100.1', ['203.0.113.0/24'])).toBe(false);
  });
});
