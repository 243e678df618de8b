/** Moved to the engine (placement rules need it); kept here so the operator's imports stay put. */
export { rangeSubnet, type RangeSubnet } from '../engine/range-subnet.ts';
