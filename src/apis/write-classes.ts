// How an adapter states the class of each of its writes: one constructor per class (classes and rules: classification.ts).
import type { AccountUse, Classification, WriteClass } from './classification.js';

const classified =
  (cls: WriteClass) =>
  (reason: string, account?: AccountUse): Classification => ({ class: cls, reason, ...(account ? { account } : {}) });

export const read = classified('read');
export const neutral = classified('neutral');
export const entity = classified('entity');
export const spend = classified('spend');
export const access = classified('access');
export const data = classified('data');
export const destructive = classified('destructive');
