import { Construct } from 'constructs';
import { DataAwsRoute53Zone } from '@cdktf/provider-aws/lib/data-aws-route53-zone';
import { Route53Zone } from '@cdktf/provider-aws/lib/route53-zone';

/** `lookup`: the zone already exists (e.g. registered elsewhere); `create`: this stack owns it. */
export type DnsZoneMode = 'lookup' | 'create';

export interface DnsZoneProps {
  /** Zone apex, e.g. `example.com` or `dev.example.com` (no trailing dot). */
  readonly domainName: string;
  /** Whether to find an existing public zone by name or create one. */
  readonly mode: DnsZoneMode;
}

const DOMAIN_PATTERN = /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/**
 * The public Route 53 hosted zone the app's records live in. A looked-up zone is never modified
 * here; a created zone must be delegated by its parent (copy `nameServers` to the registrar or the
 * parent zone) before ACM DNS validation can complete.
 */
export class DnsZone extends Construct {
  public readonly zoneId: string;
  public readonly zoneName: string;
  /**
   * The zone's name servers, only in `create` mode (undefined for `lookup`: the delegation already
   * exists and is not this stack's business). Output them so the delegation can be set up.
   */
  public readonly nameServers?: string[];

  constructor(scope: Construct, id: string, props: DnsZoneProps) {
    super(scope, id);
    if (!DOMAIN_PATTERN.test(props.domainName)) {
      throw new Error(`DnsZone: "${props.domainName}" is not a valid lower-case domain name`);
    }
    if (props.mode === 'lookup') {
      // Resolved at plan time, not synth: synth stays offline.
      const zone = new DataAwsRoute53Zone(this, 'zone', {
        name: props.domainName,
        privateZone: false,
      });
      this.zoneId = zone.zoneId;
      this.zoneName = zone.name;
    } else {
      const zone = new Route53Zone(this, 'zone', {
        name: props.domainName,
        comment: `Public zone for ${props.domainName}, managed by Terraform`,
        // Deleting a zone that still holds records is almost always a mistake.
        forceDestroy: false,
      });
      this.zoneId = zone.zoneId;
      this.zoneName = zone.name;
      this.nameServers = zone.nameServers;
    }
  }
}
