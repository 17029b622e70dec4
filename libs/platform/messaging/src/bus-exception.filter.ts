import type { ArgumentsHost, RpcExceptionFilter } from '@nestjs/common';
import { Catch } from '@nestjs/common';
import { PolymuxException } from '@polymux/contracts';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';

/**
 * Hands domain exceptions to the bus transport as they are; Nest's default RPC filter would turn
 * them into an anonymous "Internal server error" and the caller would lose the error code. The
 * runtime installs it as a global (`APP_FILTER`) filter; HTTP controllers carry their own filters.
 */
@Catch(PolymuxException)
export class BusExceptionFilter implements RpcExceptionFilter<PolymuxException> {
  catch(exception: PolymuxException, host: ArgumentsHost): Observable<never> {
    if (host.getType() !== 'rpc') throw exception;
    return throwError(() => exception);
  }
}
