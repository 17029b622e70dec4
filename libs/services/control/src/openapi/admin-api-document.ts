import 'reflect-metadata';

import { MODULE_METADATA } from '@nestjs/common/constants';

import { ControlModule } from '../control.module';
import { openApiDocument } from './openapi.document';

/**
 * The document `GET /admin/v1/openapi.json` serves, built from control's controllers without
 * starting it: what `npm run console:api` generates the console's client from.
 */
export const adminApiDocument = () =>
  openApiDocument((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, ControlModule) ?? []) as unknown[]);
