/**
 * The cost estimate's data model: what a pricing rule asks for (LineRequest), what the estimator
 * makes of it with the price tables (CostLine), and the totals per stack and environment.
 */
import type { CostAssumptions } from '../../config/cost-assumptions';
import type { ResourceRef, StackContext } from '../../policy/types';
import type { PriceEvidence } from './prices';

/** Hours in the estimated month: AWS's own convention (8,760 h / 12). */
export const HOURS_PER_MONTH = 730;

/** One priced quantity a rule asks for; the estimator looks its unit price up by `priceKey`. */
export interface LineRequest {
  /** What is counted, e.g. `instance-hours (Multi-AZ: 2 instances)`. */
  readonly component: string;
  /** Units per month (hours, GB-months, millions of requests...), before any rounding. */
  readonly quantity: number;
  readonly priceKey: string;
  /** Price from the non-regional table (Route 53) instead of the resource's region. */
  readonly global?: boolean;
  /** Multiplies the unit price (a Spot discount). Default: 1. */
  readonly priceFactor?: number;
  /** Config path of the usage assumption behind the quantity, when there is one. */
  readonly assumption?: string;
  readonly note?: string;
}

/** What a pricing rule says about one resource. */
export type Pricing =
  | {
      readonly kind: 'priced';
      /** Short description for tables and diffs (`db.m7g.large Multi-AZ, 50 GB gp3`). */
      readonly spec: string;
      readonly lines: readonly LineRequest[];
    }
  | { readonly kind: 'free'; readonly reason: string }
  | { readonly kind: 'unpriced'; readonly reason: string };

/** What a pricing rule may look at. */
export interface PricingContext {
  /** The resource's stack (its other resources, for references such as node group → template). */
  readonly stack: StackContext;
  /** AWS region of the resource (from its provider). */
  readonly region: string;
  readonly assumptions: CostAssumptions;
  /** First instant of the estimated month (UTC). */
  readonly start: Date;
  readonly hours: number;
}

export type PricingRule = (resource: ResourceRef, context: PricingContext) => Pricing;

export interface CostLine {
  readonly component: string;
  readonly quantity: number;
  readonly unit: string;
  /** USD per unit, after any price factor. */
  readonly unitPrice: number;
  readonly monthly: number;
  readonly priceKey: string;
  /** Table the price came from (`eu-west-1`, `global`). */
  readonly priceTable: string;
  readonly evidence: PriceEvidence;
  readonly assumption?: string;
  readonly note?: string;
}

export interface PricedResource {
  readonly address: string;
  readonly type: string;
  readonly region: string;
  readonly spec: string;
  readonly lines: readonly CostLine[];
  readonly monthly: number;
}

export interface FreeResource {
  readonly address: string;
  readonly type: string;
  readonly reason: string;
}

/** A resource the estimate cannot price: a missing rule, table or price. Fails the tests. */
export interface UnpricedResource {
  readonly address: string;
  readonly type: string;
  readonly reason: string;
}

export interface StackEstimate {
  readonly name: string;
  readonly environment: string;
  readonly resources: readonly PricedResource[];
  readonly free: readonly FreeResource[];
  readonly unpriced: readonly UnpricedResource[];
  readonly monthly: number;
}

export interface EnvironmentEstimate {
  /** `dev`, `staging`, `prod`..., or `account` for the per-account bootstrap stack. */
  readonly name: string;
  readonly stacks: readonly StackEstimate[];
  readonly monthly: number;
  /** The part of `monthly` priced from entries marked `unconfirmed`. */
  readonly unconfirmedMonthly: number;
}

export interface CostEstimate {
  /** ISO day the estimated month starts (prices and EKS support phase as of that day). */
  readonly asOf: string;
  readonly hoursPerMonth: number;
  readonly environments: readonly EnvironmentEstimate[];
  /** Resource types with at least one unpriced resource, sorted. */
  readonly unpricedTypes: readonly string[];
}
