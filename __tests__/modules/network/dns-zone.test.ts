import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';
import { TerraformOutput } from 'cdktf';
import { DnsZone } from '../../../modules/network/dns-zone';
import { synthConstructs } from '../../helpers/synth';

describe('DnsZone', () => {
  it('looks up an existing public zone by name without creating one', () => {
    let zone: DnsZone | undefined;
    const { synthesized, json } = synthConstructs((scope) => {
      zone = new DnsZone(scope, 'dns', { domainName: 'example.com', mode: 'lookup' });
      new TerraformOutput(scope, 'zone_id', { value: zone.zoneId });
    });
    expect(synthesized).toHaveDataSourceWithProperties(DataAwsRoute53Zone, {
      name: 'example.com',
      private_zone: false,
    });
    expect(json.resource?.aws_route53_zone).toBeUndefined();
    expect(json.output?.zone_id?.value).toMatch(
      /^\$\{data\.aws_route53_zone\.dns_zone_\w+\.zone_id\}$/,
    );
    expect(zone?.nameServers).toBeUndefined();
  });

  it('creates a zone and exposes its name servers for delegation', () => {
    let zone: DnsZone | undefined;
    const { synthesized, json } = synthConstructs((scope) => {
      zone = new DnsZone(scope, 'dns', { domainName: 'dev.example.com', mode: 'create' });
      new TerraformOutput(scope, 'zone_id', { value: zone.zoneId });
      new TerraformOutput(scope, 'name_servers', { value: zone.nameServers });
    });
    expect(synthesized).toHaveResourceWithProperties(Route53Zone, {
      name: 'dev.example.com',
      force_destroy: false,
    });
    expect(json.data?.aws_route53_zone).toBeUndefined();
    expect(json.output?.zone_id?.value).toMatch(/^\$\{aws_route53_zone\.dns_zone_\w+\.zone_id\}$/);
    expect(json.output?.name_servers?.value).toMatch(
      /^\$\{aws_route53_zone\.dns_zone_\w+\.name_servers\}$/,
    );
  });

  it.each(['Example.com', 'example', 'exa_mple.com', 'example.com.', '-a.example.com'])(
    'rejects the malformed domain %s',
    (domainName) => {
      expect(() =>
        synthConstructs((scope) => new DnsZone(scope, 'dns', { domainName, mode: 'create' })),
      ).toThrow(/not a valid/);
    },
  );
});
