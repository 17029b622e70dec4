import { Module } from '@nestjs/common';

import { ClassifierHandler } from './classifier.handler';
import { ClassifierService } from './classifier.service';

@Module({ controllers: [ClassifierHandler], providers: [ClassifierService] })
export class ClassifierModule {}
