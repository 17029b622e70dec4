export { ClassifierModule } from './classifier.module';
export { ClassifierService } from './classifier.service';
export { LanguageModel } from './language';
export { TaskModel } from './task-model';
