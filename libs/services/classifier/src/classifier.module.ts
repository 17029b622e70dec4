import { Module } from '@nestjs/common';

import { ClassifierHandler } from './classifier.handler';
import { ClassifierService } from './classifier.service';
import { LanguageModel } from './language';
import { TaskModel } from './task-model';

/** Both models are read once at start (about 1 MB of files, a few MB of memory). */
@Module({
  controllers: [ClassifierHandler],
  providers: [
    ClassifierService,
    { provide: TaskModel, useFactory: () => TaskModel.load() },
    { provide: LanguageModel, useFactory: () => LanguageModel.load() },
  ],
})
export class ClassifierModule {}
