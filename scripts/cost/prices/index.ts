import { EU_WEST_1 } from './eu-west-1';
import { GLOBAL } from './global';
import type { RegionPriceTable } from './types';
import { US_EAST_1 } from './us-east-1';

/** Every checked-in price table: one per region the stacks use, plus the non-regional services. */
export const PRICE_TABLES: readonly RegionPriceTable[] = [EU_WEST_1, US_EAST_1, GLOBAL];

/** The table of a region (`global` for Route 53), or undefined when none is checked in. */
export function priceTableFor(
  region: string,
  tables: readonly RegionPriceTable[] = PRICE_TABLES,
): RegionPriceTable | undefined {
  return tables.find((table) => table.region === region);
}

export type { PriceEntry, PriceEvidence, RegionPriceTable } from './types';
