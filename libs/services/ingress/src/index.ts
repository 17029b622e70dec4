export { IngressModule } from './ingress.module';
