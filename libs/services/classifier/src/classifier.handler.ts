import { Controller } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Classification, RequestOf } from '@polymux/contracts';
import { Subjects } from '@polymux/contracts';
import { OnRequest } from '@polymux/messaging';

import { ClassifierService } from './classifier.service';

@Controller()
export class ClassifierHandler {
  constructor(private readonly classifier: ClassifierService) {}

  @OnRequest(Subjects.classify)
  classify(@Payload() payload: RequestOf<typeof Subjects.classify>): Classification {
    return this.classifier.classify(payload);
  }
}
