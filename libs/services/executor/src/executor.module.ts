import { Module } from '@nestjs/common';
import { CatalogModule } from '@polymux/catalog';
import { ProvidersModule } from '@polymux/providers';

import { CatalogChangedHandler } from './catalog-changed.handler';
import { CredentialStore } from './credential.store';
import { DeploymentResolver } from './deployment-resolver.service';
import { EmbedHandler } from './embed.handler';
import { EmbedService } from './embed.service';
import { InvokeHandler } from './invoke.handler';
import { InvokeService } from './invoke.service';
import { MediaInliner } from './media-inliner.service';
import { OutcomeReporter } from './outcome-reporter.service';
import { UpstreamGuard } from './upstream-guard.service';

/** The executor: answers `executor.invoke.v1` and `executor.embed.v1` by calling the named catalog deployment's provider. */
@Module({
  imports: [CatalogModule, ProvidersModule],
  controllers: [InvokeHandler, EmbedHandler, CatalogChangedHandler],
  providers: [
    CredentialStore,
    DeploymentResolver,
    UpstreamGuard,
    MediaInliner,
    OutcomeReporter,
    InvokeService,
    EmbedService,
  ],
})
export class ExecutorModule {}
