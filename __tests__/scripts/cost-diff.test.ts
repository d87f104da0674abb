import type { TerraformJson } from '../../policy/types';
import type { SynthOutput } from '../../scripts/diagram/synth-output';
import {
  changePhrases,
  diffEstimates,
  formatDiffMarkdown,
  headline,
  signedDollars,
  specChange,
} from '../../scripts/cost/diff';
import { estimateCosts } from '../../scripts/cost/estimate';
import {
  formatMarkdown,
  formatTable,
  MARKDOWN_MARKER,
  MARKDOWN_RESOURCE_LIMIT,
  money,
  quantity,
  unitPrice,
} from '../../scripts/cost/format';
import type { CostEstimate } from '../../scripts/cost/model';
import { EU_WEST_1 } from '../../scripts/cost/prices/eu-west-1';
import { rdsInstanceKey, rdsStorageKey } from '../../scripts/cost/prices/keys';
import { price } from '../../scripts/cost/prices/sources';
import type { RegionPriceTable } from '../../scripts/cost/prices/types';

/** eu-west-1 plus two made-up classes whose month costs exactly $1,234 and $1,310. */
const TABLE: RegionPriceTable = {
  region: 'eu-west-1',
  prices: {
    ...EU_WEST_1.prices,
    [rdsInstanceKey('postgres', 'db.m7g.large')]: price(
      1234 / 730,
      'instance-hour',
      'https://aws.amazon.com/rds/postgresql/pricing/',
      'unconfirmed',
      'test',
    ),
    [rdsInstanceKey('postgres', 'db.m7g.xlarge')]: price(
      1310 / 730,
      'instance-hour',
      'https://aws.amazon.com/rds/postgresql/pricing/',
      'unconfirmed',
      'test',
    ),
    [rdsStorageKey('gp3')]: price(
      0,
      'GB-month',
      'https://aws.amazon.com/rds/postgresql/pricing/',
      'unconfirmed',
      'test',
    ),
  },
};

const db = (instanceClass: string) => ({
  engine: 'postgres',
  instance_class: instanceClass,
  allocated_storage: 20,
  storage_type: 'gp3',
  multi_az: false,
});

function output(stacks: Record<string, TerraformJson['resource']>): SynthOutput {
  return {
    source: 'fixture',
    stacks: Object.entries(stacks).map(([name, resource]) => ({
      name,
      environment: name === 'bootstrap' ? 'account' : name.split('-')[0]!,
      dependencies: [],
      json: { provider: { aws: [{ region: 'eu-west-1' }] }, resource },
    })),
  };
}

const estimate = (stacks: Record<string, TerraformJson['resource']>): CostEstimate =>
  estimateCosts(output(stacks), { asOf: '2026-11-29', tables: [TABLE] });

const base = estimate({
  'dev-infra': { aws_eip: { ip: {} } },
  'prod-infra': {
    aws_db_instance: { db: db('db.m7g.large') },
    aws_kms_key: { old: {} },
  },
  'qa-infra': { aws_eip: { ip: {} } },
});
const head = estimate({
  'dev-infra': { aws_eip: { ip: {} } },
  'prod-infra': {
    aws_db_instance: { db: db('db.m7g.xlarge') },
    aws_nat_gateway: { a: {}, b: {} },
  },
});

describe('cost difference', () => {
  it('writes the issue’s headline for a changed instance class', () => {
    const only = diffEstimates(
      estimate({ 'prod-infra': { aws_db_instance: { db: db('db.m7g.large') } } }),
      estimate({ 'prod-infra': { aws_db_instance: { db: db('db.m7g.xlarge') } } }),
    );
    expect(only.environments).toHaveLength(1);
    expect(headline(only.environments[0]!)).toBe(
      'prod: $1,234 → $1,310 (+$76): 1 × db.m7g.large → db.m7g.xlarge',
    );
  });

  it('finds added, removed and changed resources per environment, largest first', () => {
    const diff = diffEstimates(base, head);
    expect(diff.environments.map((environment) => environment.name)).toEqual(['dev', 'prod', 'qa']);
    const [dev, prod, qa] = diff.environments;
    expect(dev!.changes).toEqual([]);
    expect(headline(dev!)).toBe('dev: $4, no change');
    expect(prod!.changes.map((change) => [change.kind, change.address])).toEqual([
      ['changed', 'aws_db_instance.db'],
      ['added', 'aws_nat_gateway.a'],
      ['added', 'aws_nat_gateway.b'],
      ['removed', 'aws_kms_key.old'],
    ]);
    expect(prod!.delta).toBeCloseTo(
      head.environments[1]!.monthly - base.environments[1]!.monthly,
      9,
    );
    expect(headline(prod!)).toBe(
      'prod: $1,235 → $1,385 (+$150): 1 × db.m7g.large → db.m7g.xlarge; +2 aws_nat_gateway; −1 aws_kms_key',
    );
    // An environment gone from the pull request costs nothing there.
    expect(qa!.headMonthly).toBe(0);
    expect(qa!.changes.map((change) => change.kind)).toEqual(['removed']);
    expect(headline(qa!)).toBe('qa: $4 → $0 (−$4): −1 aws_eip');
  });

  it('names what changed in a spec, widened until both sides say what it is', () => {
    expect(
      specChange('db.m7g.large Multi-AZ, 50 GB gp3', 'db.m7g.xlarge Multi-AZ, 50 GB gp3'),
    ).toBe('db.m7g.large → db.m7g.xlarge');
    expect(specChange('3 × m7i.large (max 6)', '4 × m7i.large (max 6)')).toBe(
      '3 × m7i.large → 4 × m7i.large',
    );
    expect(specChange('web ACL, 4 rules', 'web ACL, 5 rules')).toBe('4 rules → 5 rules');
    expect(
      changePhrases([
        {
          stack: 's',
          address: 'a',
          type: 't',
          kind: 'changed',
          baseSpec: '3 × m7i.large',
          headSpec: '4 × m7i.large',
          baseMonthly: 1,
          headMonthly: 2,
          delta: 1,
        },
        {
          stack: 's',
          address: 'b',
          type: 'aws_nat_gateway',
          kind: 'changed',
          baseSpec: 'NAT gateway',
          headSpec: 'NAT gateway',
          baseMonthly: 2,
          headMonthly: 1,
          delta: -1,
        },
      ]),
    ).toEqual(['3 × m7i.large → 4 × m7i.large', '1 × aws_nat_gateway repriced']);
  });

  it('signs whole dollars', () => {
    expect(signedDollars(76.4)).toBe('+$76');
    expect(signedDollars(-1234.6)).toBe('−$1,235');
    expect(signedDollars(0)).toBe('±$0');
    expect(signedDollars(0.2)).toBe('+<$1');
  });

  it('renders the pull-request section: headlines, totals before and after, changed resources', () => {
    const markdown = formatDiffMarkdown(base, head);
    expect(markdown.startsWith(`${MARKDOWN_MARKER}\n### Cost estimate\n`)).toBe(true);
    expect(markdown).toContain(
      '- **prod: $1,235 → $1,385 (+$150): 1 × db.m7g.large → db.m7g.xlarge; +2 aws_nat_gateway; −1 aws_kms_key**',
    );
    expect(markdown).toContain('| Environment | Base branch | This pull request | Difference |');
    expect(markdown).toContain(
      `| prod | ${money(base.environments[1]!.monthly)} | ${money(head.environments[1]!.monthly)} | +$149.85 |`,
    );
    expect(markdown).toContain('<summary>5 changed resources</summary>');
    expect(markdown).toContain(
      '| prod | `aws_kms_key.old` | customer managed key ($1.03) | — | −$1.03 |',
    );
    expect(markdown).toContain('| prod | `aws_nat_gateway.a` | — | NAT gateway');
    expect(markdown).toContain("priced with this pull request's prices and assumptions");
  });
});

describe('cost formats', () => {
  it('formats money, unit prices and quantities', () => {
    expect(money(1234.5)).toBe('$1,234.50');
    expect(unitPrice(0.1124)).toBe('$0.1124');
    expect(unitPrice(3)).toBe('$3.00');
    expect(quantity(2190)).toBe('2,190');
    expect(quantity(0.001)).toBe('0.001');
    expect(quantity(1.9726)).toBe('1.97');
  });

  it('prints a table row per priced quantity, the totals, and the unpriced resources', () => {
    const withUnknown = estimate({
      'prod-infra': { aws_db_instance: { db: db('db.m7g.large') }, aws_magic_box: { m: {} } },
    });
    const table = formatTable(withUnknown);
    const header = table.split('\n').find((line) => line.startsWith('ADDRESS'));
    expect(header?.split(/\s{2,}/)).toEqual([
      'ADDRESS',
      'TYPE',
      'COMPONENT',
      'QUANTITY',
      'UNIT PRICE',
      'MONTHLY',
    ]);
    const rows = table.split('\n').filter((line) => line.startsWith('aws_db_instance.db '));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /instance-hours \(db\.m7g\.large\)\s+730\s+\$1\.6904\/instance-hour\s+\$1,234\.00$/,
    );
    expect(table).toContain(
      'UNPRICED  aws_magic_box.m: no pricing rule or free entry for aws_magic_box',
    );
    expect(table).toContain(
      'UNPRICED resource types (add a rule or a free entry in scripts/cost/catalogue.ts, or a price): aws_magic_box',
    );
    expect(formatTable(head)).toContain('Every resource is priced or known to be free.');
  });

  it('renders the estimate alone as totals and the main resources per environment, folded', () => {
    const many = estimate({
      'prod-infra': {
        aws_eip: Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`ip${i}`, {}])),
      },
    });
    const markdown = formatMarkdown(many);
    expect(markdown.startsWith(MARKDOWN_MARKER)).toBe(true);
    expect(markdown).toContain('| prod | $73.00 | $0.00 |');
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `aws_eip.'));
    expect(rows).toHaveLength(MARKDOWN_RESOURCE_LIMIT);
    expect(markdown).toContain(`| ${20 - MARKDOWN_RESOURCE_LIMIT} more | | $18.25 |`);
  });
});
