import type { ArgumentsHost, RpcExceptionFilter } from '@nestjs/common';
import { Catch } from '@nestjs/common';
import { PolymuxException } from '@polymux/contracts';
import type { Observable } from 'rxjs';
import { throwError } from 'rxjs';

import { AttemptsExhaustedError, RetryLaterError } from './bus/bus';

/**
 * Hands domain exceptions to the bus transport as they are; Nest's default RPC filter would turn
 * them into an anonymous "Internal server error" and the caller would lose the error code. The
 * same for a durable handler's verdicts on its event (retry later, attempts used up), which the
 * bus acts on and which are expected, not errors to log. The runtime installs it as a global
 * (`APP_FILTER`) filter; HTTP controllers carry their own filters.
 */
@Catch(PolymuxException, RetryLaterError, AttemptsExhaustedError)
export class BusExceptionFilter implements RpcExceptionFilter<
  PolymuxException | RetryLaterError | AttemptsExhaustedError
> {
  catch(
    exception: PolymuxException | RetryLaterError | AttemptsExhaustedError,
    host: ArgumentsHost,
  ): Observable<never> {
    if (host.getType() !== 'rpc') throw exception;
    return throwError(() => exception);
  }
}
