import { Module } from '@nestjs/common';
import { ProvidersModule } from '@polymux/providers';

import { InvokeHandler } from './invoke.handler';
import { InvokeService } from './invoke.service';

/** The executor: answers `executor.invoke.v1` by calling the deployment's provider. */
@Module({
  imports: [ProvidersModule],
  controllers: [InvokeHandler],
  providers: [InvokeService],
})
export class ExecutorModule {}
