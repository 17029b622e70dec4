export { ClassifierModule } from './classifier.module';
export { ClassifierService } from './classifier.service';
