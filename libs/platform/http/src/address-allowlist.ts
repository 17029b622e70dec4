import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/**
 * An allowlist entry as stored: a CIDR range in its canonical spelling (`203.0.113.0/24`,
 * `2001:db8::/32`), a single address taken as its one-address range (`/32`, `/128`). Answers the
 * reason it cannot be one instead, for the admin API's 400.
 */
export const allowlistEntry = (value: string): { cidr: string } | { problem: string } => {
  const text = value.trim();
  let address: ipaddr.IPv4 | ipaddr.IPv6;
  let bits: number;
  if (text.includes('/')) {
    if (!ipaddr.isValidCIDR(text)) return { problem: `${JSON.stringify(value)} is not a CIDR range` };
    [address, bits] = ipaddr.parseCIDR(text);
  } else {
    if (!ipaddr.isValid(text)) return { problem: `${JSON.stringify(value)} is not an IP address or CIDR range` };
    address = ipaddr.parse(text);
    bits = address.kind() === 'ipv4' ? 32 : 128;
  }
  // An IPv4-mapped IPv6 range is the IPv4 range it spells, as the addresses it is matched with are.
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
    address = (address as ipaddr.IPv6).toIPv4Address();
    bits -= 96;
  }
  const network =
    address.kind() === 'ipv4'
      ? ipaddr.IPv4.networkAddressFromCIDR(`${address.toString()}/${bits}`)
      : ipaddr.IPv6.networkAddressFromCIDR(`${address.toString()}/${bits}`);
  if (network.toNormalizedString() !== address.toNormalizedString())
    return { problem: `${JSON.stringify(value)} has host bits set: the range is ${network.toString()}/${bits}` };
  return { cidr: `${network.toString()}/${bits}` };
};

const compiled = new WeakMap<readonly string[], Range[]>();

/**
 * Whether `address` (a request's client address) is in one of the ranges. The parsed ranges are
 * kept per list, so a cached key record's list is parsed once, not on every call.
 */
export const addressAllowed = (address: string, cidrs: readonly string[]): boolean => {
  if (!ipaddr.isValid(address)) return false;
  let ranges = compiled.get(cidrs);
  if (!ranges) {
    ranges = cidrs.filter((cidr) => ipaddr.isValidCIDR(cidr)).map((cidr) => ipaddr.parseCIDR(cidr));
    compiled.set(cidrs, ranges);
  }
  // `::ffff:203.0.113.7` (a dual-stack socket's spelling of an IPv4 client) is judged as 203.0.113.7.
  const ip = ipaddr.process(address);
  return ranges.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits));
};
