/** oned's request as the core reads it, once src/oned/request.ts has decoded it. */
/** Attribute name to trimmed text value, in the order oned sent them. */
export type Attributes = ReadonlyMap<string, string>;

export interface OnedRequest {
  readonly ar: Attributes;
  readonly address: Attributes;
}
