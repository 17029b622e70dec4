import type { OnApplicationShutdown } from '@nestjs/common';
import { Inject, Injectable } from '@nestjs/common';
import type { PolymuxConfig } from '@polymux/config';
import { CONFIG } from '@polymux/config';
import type { UpstreamAddressPolicy } from '@polymux/http';
import { upstreamAddressPolicy } from '@polymux/http';
import { createGuardedAgent, guardedDispatcher } from '@polymux/providers';
import type { Agent } from 'undici';

/**
 * The SSRF guard of this executor's upstream connections that admins configured: calls of admin
 * deployments, and the media URLs it fetches to inline them. One pool, created on first use.
 */
@Injectable()
export class UpstreamGuard implements OnApplicationShutdown {
  readonly policy: UpstreamAddressPolicy;
  private pool?: Agent;

  constructor(@Inject(CONFIG) private readonly config: PolymuxConfig) {
    this.policy = upstreamAddressPolicy(config.upstream.allowedCidrs);
  }

  get agent(): Agent {
    this.pool ??= createGuardedAgent(this.policy, {
      connectTimeoutMs: this.config.upstream.connectTimeoutMs,
      bodyTimeoutMs: this.config.upstream.firstByteTimeoutMs,
    });
    return this.pool;
  }

  /** Runs an adapter call; with `guarded`, every connection it opens goes through the guarded pool. */
  run<T>(guarded: boolean, call: () => T): T {
    return guarded ? guardedDispatcher.run(this.agent, call) : call();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.close();
  }
}
