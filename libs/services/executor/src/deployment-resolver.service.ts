import { Inject, Injectable } from '@nestjs/common';
import type { HeaderValue, SettingValue, UpstreamEndpoint } from '@polymux/catalog';
import { CatalogSource } from '@polymux/catalog';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG, resolveSecret } from '@polymux/config';
import type { Deployment } from '@polymux/contracts';
import { ErrorCode, PolymuxException } from '@polymux/contracts';
import type { UpstreamTimeouts } from '@polymux/providers';

import { CredentialStore } from './credential.store';

/** A catalog deployment's time limits (`connectMs`, `firstByteMs`, `totalMs`) as the adapters name them. */
const timeoutsOf = (limits: NonNullable<UpstreamEndpoint['timeouts']>): Partial<UpstreamTimeouts> => ({
  ...(limits.connectMs === undefined ? {} : { connectTimeoutMs: limits.connectMs }),
  ...(limits.firstByteMs === undefined ? {} : { firstByteTimeoutMs: limits.firstByteMs }),
  ...(limits.totalMs === undefined ? {} : { totalTimeoutMs: limits.totalMs }),
});

/** A catalog deployment with everything needed to call it. Never leaves the executor. */
export interface ResolvedDeployment {
  deployment: Deployment;
  baseUrl: string;
  apiKey?: string;
  headers: Readonly<Record<string, string>>;
  region?: string;
  /** The deployment's adapter settings, secrets resolved. */
  settings: Readonly<Record<string, string | number | boolean>>;
  /** The deployment's own time limits, in the adapters' terms. */
  timeouts?: Partial<UpstreamTimeouts>;
  /** Configured through the admin API: its connections go through the SSRF guard. */
  admin: boolean;
}

const STORED = 'credential:';

/**
 * Turns the deployment id of an invoke message into the deployment's URL, credentials and headers,
 * all from this executor's own catalog and environment: a message can name a deployment, never a
 * URL or a secret, and only secrets the catalog references are ever read.
 */
@Injectable()
export class DeploymentResolver {
  private readonly secrets: Readonly<Record<string, string | undefined>>;

  constructor(
    private readonly catalogs: CatalogSource,
    private readonly credentials: CredentialStore,
    @Inject(CONFIG) config: PolymuxConfig,
  ) {
    this.secrets = config.catalog.variables;
  }

  resolve(deploymentId: string): ResolvedDeployment {
    const entry = this.catalogs.current.entry(deploymentId);
    if (!entry) {
      // Not retryable: the router planned from a catalog this executor does not share, or the message is
      // forged. The id is quoted as JSON, so a forged one cannot smuggle control characters into logs.
      throw new PolymuxException(
        ErrorCode.Internal,
        `deployment ${JSON.stringify(deploymentId)} is not in the executor's catalog`,
      );
    }
    const { deployment, endpoint } = entry;
    return {
      deployment,
      baseUrl: endpoint.baseUrl,
      apiKey: endpoint.credentialRef === undefined ? undefined : this.credential(deploymentId, endpoint.credentialRef),
      headers: this.headers(deploymentId, endpoint.headers),
      ...(endpoint.region === undefined ? {} : { region: endpoint.region }),
      settings: this.settings(deploymentId, endpoint.settings),
      ...(endpoint.timeouts === undefined ? {} : { timeouts: timeoutsOf(endpoint.timeouts) }),
      admin: endpoint.admin === true,
    };
  }

  private settings(
    deploymentId: string,
    settings: Readonly<Record<string, SettingValue>>,
  ): Record<string, string | number | boolean> {
    const resolved: Record<string, string | number | boolean> = {};
    for (const [name, value] of Object.entries(settings))
      resolved[name] = typeof value === 'object' ? this.credential(deploymentId, value.credentialRef) : value;
    return resolved;
  }

  private headers(deploymentId: string, headers: Readonly<Record<string, HeaderValue>>): Record<string, string> {
    const resolved: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value === 'string') resolved[name] = value;
      else {
        const secret = this.credential(deploymentId, value.credentialRef);
        // A secret from the environment is not checked by the catalog schema: never let it split a header.
        if (/[\r\n\0]/.test(secret)) {
          throw new PolymuxException(
            ErrorCode.ServiceUnavailable,
            `deployment ${deploymentId}: ${value.credentialRef} is not a valid header value`,
          );
        }
        resolved[name] = secret;
      }
    }
    return resolved;
  }

  /**
   * A reference that resolves to nothing makes the deployment unavailable, so the caller falls back
   * to the next candidate instead of sending an unauthenticated call.
   */
  private credential(deploymentId: string, credentialRef: string): string {
    const secret = credentialRef.startsWith(STORED)
      ? this.credentials.get(credentialRef.slice(STORED.length))
      : resolveSecret(credentialRef, this.secrets);
    if (!secret) {
      throw new PolymuxException(
        ErrorCode.ServiceUnavailable,
        `deployment ${deploymentId} has no credentials: ${credentialRef} is ${
          credentialRef.startsWith(STORED) && !this.credentials.configured
            ? 'stored, and POLYMUX_CREDENTIALS_KEY is not set'
            : 'not set'
        }`,
      );
    }
    return secret;
  }
}
