export { RouterModule } from './router.module';
