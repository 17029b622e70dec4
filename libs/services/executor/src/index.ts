export { ExecutorModule } from './executor.module';
export { GenAi } from './gen-ai.span';
export { InvokeService } from './invoke.service';
