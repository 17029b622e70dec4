import type { MsgHdrs } from 'nats';
import { headers as natsHeaders } from 'nats';

import type { BusHeaders } from './bus';
import { NO_RESPONDERS_HEADER } from './bus';

export const toNatsHeaders = (record: BusHeaders): MsgHdrs | undefined => {
  const keys = Object.keys(record);
  if (keys.length === 0) return undefined;
  const result = natsHeaders();
  for (const key of keys) result.set(key, record[key]);
  return result;
};

export const fromNatsHeaders = (source: MsgHdrs | undefined): BusHeaders => {
  const result: BusHeaders = {};
  if (!source) return result;
  if (source.hasError && source.code === 503) result[NO_RESPONDERS_HEADER] = '1';
  for (const key of source.keys()) result[key.toLowerCase()] = source.get(key);
  return result;
};
