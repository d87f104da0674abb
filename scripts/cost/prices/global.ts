/**
 * Prices of non-regional services (Route 53), USD, before tax. Resources of these services are
 * priced from this table whatever their provider's region.
 */
import { PRICE } from './keys';
import { SOURCES, unconfirmed as unconfirmedAt } from './sources';
import type { RegionPriceTable } from './types';

const unconfirmed = (usd: number, unit: string, note?: string) =>
  unconfirmedAt(usd, unit, SOURCES.route53, note);

export const GLOBAL: RegionPriceTable = {
  region: 'global',
  prices: {
    [PRICE.route53ZoneMonth]: unconfirmed(
      0.5,
      'hosted zone-month',
      'first 25 zones; queries not estimated (alias queries to AWS resources are free)',
    ),
    [PRICE.route53HealthCheckAwsMonth]: unconfirmed(
      0.5,
      'health check-month',
      'endpoint on AWS in the same account',
    ),
    [PRICE.route53HealthCheckNonAwsMonth]: unconfirmed(0.75, 'health check-month'),
    [PRICE.route53HealthCheckFeatureAwsMonth]: unconfirmed(
      1,
      'feature-month',
      'HTTPS, string matching, fast interval or latency measurement, each',
    ),
    [PRICE.route53HealthCheckFeatureNonAwsMonth]: unconfirmed(
      2,
      'feature-month',
      'HTTPS, string matching, fast interval or latency measurement, each',
    ),
  },
};
