import { danglingReferences } from '../helpers/reference-check';

describe('reference check', () => {
  const json = {
    resource: {
      aws_vpc: { main: { cidr_block: '10.0.0.0/16' } },
      aws_subnet: {
        a: { vpc_id: '${aws_vpc.main.id}', cidr_block: '${cidrsubnet(var.cidr, 8, 0)}' },
        b: { vpc_id: '${aws_vpc.missing.id}', depends_on: ['aws_vpc.gone'] },
      },
      aws_route_table: {
        rt: {
          tags: { Name: '${local.name}-${data.aws_region.current.region}' },
          for: '${[for s in aws_subnet.nope : s.id]}',
        },
      },
    },
    data: { aws_region: { current: {} } },
    variable: { cidr: {} },
    locals: { name: 'x' },
    output: { subnet: { value: '${aws_subnet.a.id}' }, each: { value: '${each.key}' } },
  };

  it('reports only references to undeclared things, with where they were found', async () => {
    const dangling = await danglingReferences(json);
    expect(dangling).toEqual([
      { at: 'resource.aws_subnet.b.vpc_id', reference: 'aws_vpc.missing.id' },
      { at: 'resource.aws_subnet.b.depends_on.0', reference: 'aws_vpc.gone' },
      { at: 'resource.aws_route_table.rt.for', reference: 'aws_subnet.nope' },
    ]);
  });

  it('passes a document whose references all resolve', async () => {
    const clean = structuredClone(json);
    delete (clean.resource.aws_subnet as Record<string, unknown>).b;
    delete (clean.resource as Record<string, unknown>).aws_route_table;
    expect(await danglingReferences(clean)).toEqual([]);
  });
});
