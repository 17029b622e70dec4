import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { lookup } from 'node:dns';
import { isIP } from 'node:net';

import { ErrorCode, PolymuxException } from '@polymux/contracts';
import ipaddr from 'ipaddr.js';

/**
 * Which addresses an admin-configured upstream (a deployment's base URL, a media URL in a request)
 * may reach: public unicast addresses, plus the private or loopback ranges the operator allows.
 * Link-local and cloud metadata addresses are refused whatever is allowed.
 */
export interface UpstreamAddressPolicy {
  allowed: ReadonlyArray<[ipaddr.IPv4 | ipaddr.IPv6, number]>;
}

/** Instance metadata services: AWS, GCP and Azure (169.254.169.254), AWS over IPv6, ECS, Alibaba, Oracle. */
const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254', '169.254.170.2', '100.100.100.200', '192.0.0.192'].map(
  (address) => ipaddr.parse(address),
);
/** Names of metadata services that resolve inside a cloud's own DNS. */
const METADATA_HOSTS = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data']);

/** Parses the operator's allowlist (`10.0.0.0/8`, `::1/128`, …); validated by the config schema. */
export const upstreamAddressPolicy = (allowedCidrs: readonly string[]): UpstreamAddressPolicy => ({
  allowed: allowedCidrs.map((cidr) => ipaddr.parseCIDR(cidr)),
});

const sameAddress = (a: ipaddr.IPv4 | ipaddr.IPv6, b: ipaddr.IPv4 | ipaddr.IPv6) =>
  a.kind() === b.kind() && a.toNormalizedString() === b.toNormalizedString();

/**
 * Why `address` may not be reached, or null when it may. An IPv4-mapped IPv6 address
 * (`::ffff:10.0.0.1`) is judged as the IPv4 address it is.
 */
export const addressRefusal = (address: string, policy: UpstreamAddressPolicy): string | null => {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  const ip = ipaddr.process(address);
  if (METADATA_ADDRESSES.some((metadata) => sameAddress(metadata, ip))) return 'a cloud metadata address';
  const range = ip.range();
  if (range === 'linkLocal') return 'a link-local address';
  if (range === 'unicast') return null;
  if (policy.allowed.some(([network, bits]) => network.kind() === ip.kind() && ip.match(network, bits))) return null;
  return `a ${range} address`;
};

const refusedMessage = (host: string, address: string, reason: string) =>
  `${host} resolves to ${address}, ${reason}, which upstream calls may not reach` +
  (reason === 'a cloud metadata address' || reason === 'a link-local address'
    ? ''
    : ' (unless its range is in POLYMUX_UPSTREAM_ALLOWED_CIDRS)');

/**
 * A connection the policy refused at connect time. Unavailable, so a call falls back to its next
 * candidate; the message names no address, since it may reach a data-plane caller.
 */
export class UpstreamAddressRefused extends PolymuxException {
  constructor(readonly detail: string) {
    super(ErrorCode.ServiceUnavailable, 'the upstream address is refused by the SSRF guard');
  }
}

export type ResolveAll = (hostname: string) => Promise<LookupAddress[]>;

const systemResolve: ResolveAll = (hostname) =>
  new Promise((resolve, reject) =>
    lookup(hostname, { all: true }, (error, addresses) => (error ? reject(error) : resolve(addresses))),
  );

/** A URL's host without IPv6 brackets, lower-cased and without a trailing dot. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');

/**
 * Checks an admin-configured http(s) URL before it is stored or fetched: the scheme, no credentials
 * in it, not a metadata host, and every address its host resolves to allowed (one private address
 * among public ones is enough to refuse it). The connection itself is checked again at connect time
 * (`guardedLookup`), since DNS may answer differently then.
 */
export const checkUpstreamUrl = async (
  value: string,
  policy: UpstreamAddressPolicy,
  param: string,
  resolve: ResolveAll = systemResolve,
): Promise<URL> => {
  const invalid = (message: string) => new PolymuxException(ErrorCode.InvalidRequest, message, { param });
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(`${param} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid(`${param} must be an http(s) URL`);
  if (url.username || url.password) throw invalid(`${param} must not carry credentials`);
  const host = hostOf(url);
  if (METADATA_HOSTS.has(host.toLowerCase())) throw invalid(`${param} names a cloud metadata service`);
  let addresses: LookupAddress[];
  try {
    addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await resolve(host);
  } catch {
    throw invalid(`${param}: ${host} does not resolve`);
  }
  for (const { address } of addresses) {
    const reason = addressRefusal(address, policy);
    if (reason) throw invalid(`${param}: ${refusedMessage(host, address, reason)}`);
  }
  return url;
};

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for `net.connect` that resolves every address of the host, refuses the connection when
 * any of them is refused, and connects to one it checked: the connection is pinned to the address
 * that was checked, so a DNS answer that changes between check and connect (rebinding) gains nothing.
 */
export const guardedLookup =
  (policy: UpstreamAddressPolicy, resolve: ResolveAll = systemResolve) =>
  (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = addresses.filter(({ family }) => !options.family || family === options.family);
        for (const { address } of addresses) {
          const reason = addressRefusal(address, policy);
          if (reason) return callback(new UpstreamAddressRefused(refusedMessage(hostname, address, reason)), '');
        }
        const [first] = wanted;
        if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
        if (options.all) callback(null, wanted);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ''),
    );
  };

/**
 * A connection to an IP literal resolves nothing (`net.connect` skips `lookup` for it): the refusal
 * of such a host, or null when it is a name (checked by `guardedLookup`) or an allowed address.
 */
export const literalRefusal = (host: string, policy: UpstreamAddressPolicy): UpstreamAddressRefused | null => {
  const bare = host.replace(/^\[(.*)\]$/, '$1');
  if (!isIP(bare)) return null;
  const reason = addressRefusal(bare, policy);
  return reason ? new UpstreamAddressRefused(refusedMessage(bare, bare, reason)) : null;
};
