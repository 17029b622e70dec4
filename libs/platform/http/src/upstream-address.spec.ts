import type { LookupAddress } from 'node:dns';

import { ErrorCode, PolymuxException } from '@polymux/contracts';

import type { ResolveAll } from './upstream-address';
import {
  UpstreamAddressRefused,
  addressRefusal,
  checkUpstreamUrl,
  guardedLookup,
  literalRefusal,
  upstreamAddressPolicy,
} from './upstream-address';

const none = upstreamAddressPolicy([]);
const loopbackAllowed = upstreamAddressPolicy(['127.0.0.0/8', '::1/128']);

/** A resolver answering from a table, like DNS would. */
const dns =
  (table: Record<string, string[]>): ResolveAll =>
  async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('upstream address policy', () => {
  it.each([
    ['8.8.8.8', null],
    ['2606:4700:4700::1111', null],
    ['127.0.0.1', 'a loopback address'],
    ['10.1.2.3', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['100.64.0.1', 'a carrierGradeNat address'],
    ['0.0.0.0', 'a unspecified address'],
    ['169.254.1.1', 'a link-local address'],
    ['169.254.169.254', 'a cloud metadata address'],
    ['169.254.170.2', 'a cloud metadata address'],
    ['100.100.100.200', 'a cloud metadata address'],
    ['::1', 'a loopback address'],
    ['::', 'a unspecified address'],
    ['fe80::1', 'a link-local address'],
    ['fc00::1', 'a uniqueLocal address'],
    ['fd00:ec2::254', 'a cloud metadata address'],
    ['ff02::1', 'a multicast address'],
    // IPv4-mapped IPv6 is judged as the IPv4 address it carries.
    ['::ffff:127.0.0.1', 'a loopback address'],
    ['::ffff:7f00:1', 'a loopback address'],
    ['::ffff:169.254.169.254', 'a cloud metadata address'],
    ['::ffff:10.0.0.1', 'a private address'],
    ['::ffff:8.8.8.8', null],
    // IPv4 embedded in NAT64 or 6to4 prefixes is not unicast either.
    ['64:ff9b::a9fe:a9fe', 'a rfc6052 address'],
    ['2002:a9fe:a9fe::1', 'a 6to4 address'],
  ])('judges %s: %s', (address, refusal) => {
    expect(addressRefusal(address, none)).toBe(refusal);
  });

  it('allows the ranges the operator lists, but never link-local or metadata addresses', () => {
    const policy = upstreamAddressPolicy(['127.0.0.0/8', '::1/128', '10.0.0.0/8', '169.254.0.0/16', 'fd00::/8']);
    expect(addressRefusal('127.0.0.1', policy)).toBeNull();
    expect(addressRefusal('::ffff:127.0.0.1', policy)).toBeNull();
    expect(addressRefusal('::1', policy)).toBeNull();
    expect(addressRefusal('10.9.9.9', policy)).toBeNull();
    expect(addressRefusal('192.168.0.1', policy)).toBe('a private address');
    expect(addressRefusal('169.254.1.1', policy)).toBe('a link-local address');
    expect(addressRefusal('169.254.169.254', policy)).toBe('a cloud metadata address');
    expect(addressRefusal('fd00:ec2::254', policy)).toBe('a cloud metadata address');
  });
});

describe('checkUpstreamUrl', () => {
  const check = (url: string, table: Record<string, string[]> = {}, policy = none) =>
    checkUpstreamUrl(url, policy, 'baseUrl', dns(table));

  const refusal = async (promise: Promise<unknown>) => {
    const error = await promise.then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(PolymuxException);
    const exception = error as PolymuxException;
    expect(exception.code).toBe(ErrorCode.InvalidRequest);
    expect(exception.details.param).toBe('baseUrl');
    return exception.message;
  };

  it('accepts a public https URL', async () => {
    await expect(check('https://api.example.com/v1', { 'api.example.com': ['93.184.215.14'] })).resolves.toBeInstanceOf(
      URL,
    );
  });

  it.each([
    ['not a URL', 'nope', /not a URL/],
    ['another scheme', 'file:///etc/passwd', /http\(s\)/],
    ['credentials in the URL', 'https://user:pw@api.example.com/v1', /credentials/],
    ['the GCP metadata host', 'http://metadata.google.internal/computeMetadata/v1', /metadata/],
    ['the AWS metadata address', 'http://169.254.169.254/latest/meta-data', /cloud metadata address/],
    ['the AWS IPv6 metadata address', 'http://[fd00:ec2::254]/latest', /cloud metadata address/],
    ['loopback', 'http://127.0.0.1:8090/v1', /loopback.*POLYMUX_UPSTREAM_ALLOWED_CIDRS/],
    ['a decimal IPv4 literal for loopback', 'http://2130706433/v1', /127\.0\.0\.1, a loopback/],
    ['IPv4-mapped loopback', 'http://[::ffff:127.0.0.1]/v1', /loopback/],
    ['a private address', 'http://10.0.0.5/v1', /private/],
    ['a host that does not resolve', 'https://nowhere.example/v1', /does not resolve/],
  ])('refuses %s', async (_what, url, message) => {
    expect(await refusal(check(url))).toMatch(message);
  });

  it('refuses a name whose DNS answer mixes public and private addresses', async () => {
    const table = { 'mixed.example.com': ['93.184.215.14', '10.0.0.7'] };
    expect(await refusal(check('https://mixed.example.com/v1', table))).toMatch(/10\.0\.0\.7, a private address/);
  });

  it('refuses a name resolving to the metadata address, even with private ranges allowed', async () => {
    const table = { 'evil.example.com': ['169.254.169.254'] };
    const policy = upstreamAddressPolicy(['0.0.0.0/0']);
    expect(await refusal(check('https://evil.example.com/', table, policy))).toMatch(/cloud metadata/);
  });

  it('accepts loopback once it is allowed', async () => {
    await expect(check('http://127.0.0.1:8090/v1', {}, loopbackAllowed)).resolves.toBeInstanceOf(URL);
    await expect(
      check('http://localhost:8090/v1', { localhost: ['::1', '127.0.0.1'] }, loopbackAllowed),
    ).resolves.toBeInstanceOf(URL);
  });
});

describe('guardedLookup', () => {
  const lookup = (
    hostname: string,
    table: Record<string, string[]>,
    options: { all?: boolean; family?: number } = {},
  ) =>
    new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
      guardedLookup(none, dns(table))(hostname, options as never, (error, address, family) =>
        resolve({ error, address, family }),
      ),
    );

  it('connects to the address it checked', async () => {
    expect(await lookup('api.example.com', { 'api.example.com': ['93.184.215.14'] })).toEqual({
      error: null,
      address: '93.184.215.14',
      family: 4,
    });
    const all = await lookup(
      'api.example.com',
      { 'api.example.com': ['93.184.215.14', '2606:2800::1'] },
      { all: true },
    );
    expect(all.address).toEqual([
      { address: '93.184.215.14', family: 4 },
      { address: '2606:2800::1', family: 6 },
    ]);
  });

  it('refuses the connection when any resolved address is refused (a rebinding answer)', async () => {
    const { error } = await lookup('rebind.example.com', { 'rebind.example.com': ['93.184.215.14', '127.0.0.1'] });
    expect(error).toBeInstanceOf(UpstreamAddressRefused);
    expect((error as UpstreamAddressRefused).code).toBe(ErrorCode.ServiceUnavailable);
    expect((error as UpstreamAddressRefused).detail).toMatch(/127\.0\.0\.1, a loopback address/);
    // The caller-facing message names no internal address.
    expect(error?.message).not.toContain('127.0.0.1');
  });

  it('passes DNS failures on', async () => {
    expect((await lookup('nowhere.example', {})).error).toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('literalRefusal', () => {
  it('checks IP literals, which net.connect does not look up, and leaves names to the lookup', () => {
    expect(literalRefusal('169.254.169.254', loopbackAllowed)).toBeInstanceOf(UpstreamAddressRefused);
    expect(literalRefusal('[::ffff:10.0.0.1]', loopbackAllowed)).toBeInstanceOf(UpstreamAddressRefused);
    expect(literalRefusal('127.0.0.1', loopbackAllowed)).toBeNull();
    expect(literalRefusal('[::1]', loopbackAllowed)).toBeNull();
    expect(literalRefusal('api.example.com', none)).toBeNull();
  });
});
