import type { PriceEntry, PriceEvidence } from './types';

/** The public AWS pricing pages the tables cite. */
export const SOURCES = {
  eks: 'https://aws.amazon.com/eks/pricing/',
  ec2: 'https://aws.amazon.com/ec2/pricing/on-demand/',
  ebs: 'https://aws.amazon.com/ebs/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  privateLink: 'https://aws.amazon.com/privatelink/pricing/',
  elb: 'https://aws.amazon.com/elasticloadbalancing/pricing/',
  rdsPostgres: 'https://aws.amazon.com/rds/postgresql/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  route53: 'https://aws.amazon.com/route53/pricing/',
  waf: 'https://aws.amazon.com/waf/pricing/',
  prometheus: 'https://aws.amazon.com/prometheus/pricing/',
  sns: 'https://aws.amazon.com/sns/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  ecr: 'https://aws.amazon.com/ecr/pricing/',
  codebuild: 'https://aws.amazon.com/codebuild/pricing/',
} as const;

/** The day the tables were written and their figures looked up. */
export const PRICES_READ = '2026-11-29';

/** One table entry, read on PRICES_READ. */
export function price(
  usd: number,
  unit: string,
  source: string,
  evidence: PriceEvidence,
  note?: string,
): PriceEntry {
  return { usd, unit, source, read: PRICES_READ, evidence, ...(note ? { note } : {}) };
}

/** An entry not confirmed by a stored copy of its page (see PriceEvidence). */
export function unconfirmed(usd: number, unit: string, source: string, note?: string): PriceEntry {
  return price(
    usd,
    unit,
    source,
    'unconfirmed',
    note ? `${NOTES.notFound}; ${note}` : NOTES.notFound,
  );
}

/** An entry seen in a third-party article quoting the AWS list price (named in the note). */
export function thirdParty(usd: number, unit: string, source: string, note: string): PriceEntry {
  return price(usd, unit, source, 'third-party', note);
}

/** Notes shared by several entries. */
export const NOTES = {
  notFound:
    'not found in the stored copies of the pricing page (its rates load by script); AWS list price as known to the author',
  eksBlog:
    'seen: AWS Containers blog "Amazon EKS extended support for Kubernetes versions pricing" ($0.10 standard, $0.60 total in extended support, per cluster-hour)',
  noFreeTier: 'the account-wide free tier is not subtracted',
} as const;
