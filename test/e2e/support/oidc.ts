import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface TestAccount {
  claims: Record<string, unknown>;
  /** False: the provider issues this account no refresh token. */
  refreshTokens?: boolean;
}

export interface TestProvider {
  issuer: string;
  /** Replaces an account's claims at the provider (its groups, its org). */
  setClaims(accountId: string, claims: Record<string, unknown>): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `oidc-provider` (fixtures/oidc-provider.mjs) in a child process with these clients and accounts. */
export const startProvider = async (
  clients: Array<Record<string, unknown>>,
  accounts: Record<string, TestAccount>,
): Promise<TestProvider> => {
  const child: ChildProcess = spawn(process.execPath, [join(__dirname, '..', 'fixtures', 'oidc-provider.mjs')], {
    env: { ...process.env, NODE_OPTIONS: '', OIDC_TEST_CONFIG: JSON.stringify({ clients, accounts }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its warnings about development defaults (in-memory storage, generated keys) are expected here.
  createInterface({ input: child.stderr! }).on('line', (line) => {
    if (!line.startsWith('oidc-provider WARNING:')) process.stderr.write(`${line}\n`);
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`oidc-provider exited with code ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const match = /^oidc-provider ready (\S+)$/.exec(line);
      if (match) resolve(match[1]);
    });
  });
  child.removeAllListeners('exit');
  return {
    issuer,
    setClaims: async (accountId, claims) => {
      const response = await fetch(`${issuer}/test/accounts/${accountId}`, {
        method: 'PUT',
        body: JSON.stringify({ claims }),
      });
      if (!response.ok) throw new Error(`setting ${accountId}'s claims: ${response.status}`);
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};

/** A browser, as far as a login needs one: cookies per origin, redirects followed by hand. */
export class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const { origin } = new URL(url);
    const jar = this.jars.get(origin) ?? new Map<string, string>();
    this.jars.set(origin, jar);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...value] = pair.trim().split('=');
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired || value.join('=') === '') jar.delete(name);
      else jar.set(name, value.join('='));
    }
    return response;
  }

  /** Follows redirects from `url` until one leads to `stopAt` (not fetched) or a page answers. */
  async follow(url: string, stopAt?: string): Promise<{ url: string; response?: Response }> {
    let current = url;
    for (let hops = 0; hops < 10; hops++) {
      if (stopAt && current.startsWith(stopAt)) return { url: current };
      const response = await this.fetch(current);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { url: current, response };
      await response.arrayBuffer();
      current = new URL(location, current).href;
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/**
 * The authorization code flow as a user's browser makes it, up to the callback: Polymux's login
 * redirect, the provider's interaction (logged in as `accountId`, consenting), and the redirect
 * back, whose URL (with the code and state) is answered unfetched.
 */
export const authorize = async (
  browser: Browser,
  controlUrl: string,
  accountId: string,
): Promise<{ authorizationUrl: URL; callbackUrl: string }> => {
  const start = await browser.fetch(`${controlUrl}/admin/v1/sso/login`);
  if (start.status !== 302) throw new Error(`login start answered ${start.status}: ${await start.text()}`);
  const authorizationUrl = new URL(start.headers.get('location')!);
  const interaction = await browser.follow(authorizationUrl.href);
  const page = interaction.response!;
  if (page.status !== 200) throw new Error(`the provider answered ${page.status}: ${await page.text()}`);
  await page.arrayBuffer();
  const submitted = await browser.fetch(`${interaction.url}/login`, {
    method: 'POST',
    body: JSON.stringify({ accountId }),
  });
  if (submitted.status !== 303) throw new Error(`login at the provider: ${submitted.status} ${await submitted.text()}`);
  const resume = new URL(submitted.headers.get('location')!, interaction.url).href;
  const callback = await browser.follow(resume, `${controlUrl}/admin/v1/sso/callback`);
  if (callback.response) throw new Error(`no callback: ${callback.response.status} ${await callback.response.text()}`);
  return { authorizationUrl, callbackUrl: callback.url };
};

/** A whole login: `authorize`, then the callback fetched by the same browser; answers its response. */
export const logIn = async (browser: Browser, controlUrl: string, accountId: string) => {
  const flow = await authorize(browser, controlUrl, accountId);
  return { ...flow, response: await browser.fetch(flow.callbackUrl) };
};
