/** Injection token of the configured `Bus`. */
export const BUS = Symbol('polymux.bus');
