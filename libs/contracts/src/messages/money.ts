import { z } from 'zod';

/**
 * Money travels as a decimal string of integer nano-USD (1e-9 USD) so that it survives JSON
 * without floating point; services parse it with `BigInt()`.
 */
export const Money = z.string().regex(/^-?\d+$/, 'money is an integer number of nano-USD');
export type Money = z.infer<typeof Money>;
