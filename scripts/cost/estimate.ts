/**
 * Prices every resource of the synthesized stacks: each resource gets its pricing rule (or its
 * reason to be free) from the catalogue, its region from its provider, and its unit prices from
 * the region's table; whatever cannot be priced is listed as unpriced instead of costing $0.
 */
import { DEFAULT_COST_ASSUMPTIONS, type CostAssumptions } from '../../config/cost-assumptions';
import { ENVIRONMENT_NAMES, type ProjectConfig } from '../../config/schema';
import { stackContext } from '../../policy/engine';
import type { ResourceRef, TerraformJson } from '../../policy/types';
import type { SynthOutput } from '../diagram/synth-output';
import { FREE_TYPES, PRICING_RULES } from './catalogue';
import {
  HOURS_PER_MONTH,
  type CostEstimate,
  type CostLine,
  type EnvironmentEstimate,
  type FreeResource,
  type PricedResource,
  type PricingRule,
  type StackEstimate,
  type UnpricedResource,
} from './model';
import { PRICE_TABLES, priceTableFor, type RegionPriceTable } from './prices';

export interface EstimateOptions {
  /** ISO day the estimated month starts: EKS support phase and the README's "as of". */
  readonly asOf: string;
  /** Usage assumptions of an environment (`account` for the bootstrap stack). */
  readonly assumptionsFor?: (environment: string) => CostAssumptions;
  /** Only these environments. Default: every stack. */
  readonly environments?: readonly string[];
  readonly tables?: readonly RegionPriceTable[];
  readonly rules?: Readonly<Record<string, PricingRule>>;
  readonly freeTypes?: Readonly<Record<string, string>>;
  readonly hours?: number;
}

/** Assumptions per environment from a validated project config (defaults for unknown names). */
export function assumptionsFromConfig(
  config: ProjectConfig,
): (environment: string) => CostAssumptions {
  return (environment) => {
    if (environment === 'account') return config.bootstrap.costAssumptions;
    const env = Object.entries(config.environments).find(([name]) => name === environment)?.[1];
    return env?.costAssumptions ?? DEFAULT_COST_ASSUMPTIONS;
  };
}

/** Region per AWS provider of a stack: `aws` for the default one, `aws.<alias>` for the others. */
export function providerRegions(json: TerraformJson): Map<string, string> {
  const regions = new Map<string, string>();
  for (const entry of json.provider?.aws ?? []) {
    const provider = entry as { alias?: unknown; region?: unknown };
    if (typeof provider.region !== 'string') continue;
    regions.set(
      typeof provider.alias === 'string' ? `aws.${provider.alias}` : 'aws',
      provider.region,
    );
  }
  return regions;
}

function regionOf(resource: ResourceRef, regions: Map<string, string>): string {
  const provider = typeof resource.config.provider === 'string' ? resource.config.provider : 'aws';
  return regions.get(provider) ?? regions.get('aws') ?? 'unknown';
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Prices one stack. */
export function estimateStack(
  name: string,
  environment: string,
  json: TerraformJson,
  options: EstimateOptions,
): StackEstimate {
  if (!ISO_DAY.test(options.asOf) || Number.isNaN(Date.parse(`${options.asOf}T00:00:00Z`))) {
    throw new Error(`invalid date "${options.asOf}": expected YYYY-MM-DD`);
  }
  const tables = options.tables ?? PRICE_TABLES;
  const rules = options.rules ?? PRICING_RULES;
  const freeTypes = options.freeTypes ?? FREE_TYPES;
  const hours = options.hours ?? HOURS_PER_MONTH;
  const assumptions = options.assumptionsFor?.(environment) ?? DEFAULT_COST_ASSUMPTIONS;
  const stack = stackContext(name, environment, json);
  const regions = providerRegions(json);
  const start = new Date(`${options.asOf}T00:00:00Z`);

  const resources: PricedResource[] = [];
  const free: FreeResource[] = [];
  const unpriced: UnpricedResource[] = [];
  for (const resource of stack.resources('*')) {
    const { address, type } = resource;
    const rule = rules[type];
    if (!rule) {
      const reason = freeTypes[type];
      if (reason !== undefined) free.push({ address, type, reason });
      else unpriced.push({ address, type, reason: `no pricing rule or free entry for ${type}` });
      continue;
    }
    const region = regionOf(resource, regions);
    const pricing = rule(resource, { stack, region, assumptions, start, hours });
    if (pricing.kind === 'free') {
      free.push({ address, type, reason: pricing.reason });
      continue;
    }
    if (pricing.kind === 'unpriced') {
      unpriced.push({ address, type, reason: pricing.reason });
      continue;
    }
    // `count` multiplies a resource; `for_each` or a computed count cannot be known at synth.
    const count = typeof resource.config.count === 'number' ? resource.config.count : 1;
    const unknownCount =
      typeof resource.config.count === 'string' || resource.config.for_each !== undefined;
    const lines: CostLine[] = [];
    let missing: string | undefined;
    for (const request of pricing.lines) {
      const tableName = request.global ? 'global' : region;
      const entry = priceTableFor(tableName, tables)?.prices[request.priceKey];
      if (!entry) {
        missing = priceTableFor(tableName, tables)
          ? `no price "${request.priceKey}" in the ${tableName} table (scripts/cost/prices/)`
          : `no price table for region ${tableName} (scripts/cost/prices/)`;
        break;
      }
      const unitPrice = entry.usd * (request.priceFactor ?? 1);
      const quantity = request.quantity * count;
      const notes = [
        request.note,
        unknownCount ? 'count/for_each unknown at synth: priced once' : undefined,
      ].filter(Boolean);
      lines.push({
        component: request.component,
        quantity,
        unit: entry.unit,
        unitPrice,
        monthly: quantity * unitPrice,
        priceKey: request.priceKey,
        priceTable: tableName,
        evidence: entry.evidence,
        ...(request.assumption ? { assumption: request.assumption } : {}),
        ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
      });
    }
    if (missing) {
      unpriced.push({ address, type, reason: missing });
      continue;
    }
    resources.push({
      address,
      type,
      region,
      spec: count === 1 ? pricing.spec : `${count} × ${pricing.spec}`,
      lines,
      monthly: lines.reduce((sum, line) => sum + line.monthly, 0),
    });
  }
  const byAddress = (a: { address: string }, b: { address: string }) =>
    a.address.localeCompare(b.address);
  return {
    name,
    environment,
    resources: resources.sort(byAddress),
    free: free.sort(byAddress),
    unpriced: unpriced.sort(byAddress),
    monthly: resources.reduce((sum, resource) => sum + resource.monthly, 0),
  };
}

/** Environments in the config's order (dev → staging → prod), others by name, `account` last. */
export function environmentOrder(a: string, b: string): number {
  const rank = (name: string): number => {
    const index = (ENVIRONMENT_NAMES as readonly string[]).indexOf(name);
    return index >= 0 ? index : name === 'account' ? 1000 : 100;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

/** Prices every stack (of the selected environments) of a synth output. */
export function estimateCosts(output: SynthOutput, options: EstimateOptions): CostEstimate {
  const stacks = output.stacks
    .filter((stack) => !options.environments || options.environments.includes(stack.environment))
    .map((stack) => estimateStack(stack.name, stack.environment, stack.json, options));
  const names = [...new Set(stacks.map((stack) => stack.environment))].sort(environmentOrder);
  const environments: EnvironmentEstimate[] = names.map((name) => {
    const own = stacks.filter((stack) => stack.environment === name);
    const lines = own.flatMap((stack) => stack.resources.flatMap((resource) => resource.lines));
    return {
      name,
      stacks: own,
      monthly: own.reduce((sum, stack) => sum + stack.monthly, 0),
      unconfirmedMonthly: lines
        .filter((line) => line.evidence === 'unconfirmed')
        .reduce((sum, line) => sum + line.monthly, 0),
    };
  });
  return {
    asOf: options.asOf,
    hoursPerMonth: options.hours ?? HOURS_PER_MONTH,
    environments,
    unpricedTypes: [
      ...new Set(stacks.flatMap((stack) => stack.unpriced.map((resource) => resource.type))),
    ].sort(),
  };
}

/** Today as an ISO day (UTC). */
export function todayIso(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
