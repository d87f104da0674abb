/**
 * The shape of the checked-in price tables (one per region, plus the non-regional services).
 * Every figure says where it comes from and how sure we are of it, so a reader can tell a price
 * seen on an AWS page from one that still needs checking.
 */

/**
 * How a figure was established when the table was last read:
 * - `aws`: the figure was seen on an AWS page (pricing page, AWS blog or documentation);
 * - `third-party`: seen in a third-party article quoting the AWS list price (named in `note`);
 * - `unconfirmed`: not found in the copies of the pricing pages available when the table was
 *   written (the AWS pricing pages load their rates by script); the figure is the AWS list price
 *   as the author knew it. Check it on `source` before relying on it.
 */
export type PriceEvidence = 'aws' | 'third-party' | 'unconfirmed';

export interface PriceEntry {
  /** USD per `unit`, before tax, on-demand, no free tier. */
  readonly usd: number;
  /** What one unit is, e.g. `instance-hour`, `GB-month`, `10M samples`. */
  readonly unit: string;
  /** The public AWS pricing page the figure belongs to. */
  readonly source: string;
  /** ISO day the figure was (last) looked up. */
  readonly read: string;
  readonly evidence: PriceEvidence;
  /** What was (not) found, tiers left out, and similar caveats. */
  readonly note?: string;
}

/** Prices of one region, by price key (`ec2.m7i.large`, `nat.hour`, ...). */
export interface RegionPriceTable {
  /** AWS region code, or `global` for non-regional services (Route 53). */
  readonly region: string;
  readonly prices: Readonly<Record<string, PriceEntry>>;
}
