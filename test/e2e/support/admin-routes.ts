import 'reflect-metadata';

import { RequestMethod } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ControlModule } from '@polymux/control';

type Constructor = new (...args: never[]) => object;

/** `METHOD /admin/v1/...` of every route control's guarded controllers declare (not SSO's login flow), sorted. */
export const declaredAdminRoutes = (): string[] => {
  const controllers = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, ControlModule) ?? []) as Constructor[];
  return controllers
    .filter((controller) => ((Reflect.getMetadata(GUARDS_METADATA, controller) ?? []) as unknown[]).length > 0)
    .flatMap((controller) => {
      const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string;
      const prototype = controller.prototype as Record<string, object>;
      return Object.getOwnPropertyNames(prototype)
        .filter((name) => name !== 'constructor' && Reflect.hasMetadata(PATH_METADATA, prototype[name]!))
        .map((name) => {
          const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, prototype[name]!) as RequestMethod];
          return `${method} /${prefix}/${Reflect.getMetadata(PATH_METADATA, prototype[name]!) as string}`;
        });
    })
    .filter((route) => route.includes(' /admin/v1/'))
    .sort();
};
