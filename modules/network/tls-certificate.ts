import { Construct } from 'constructs';
import { TerraformIterator, Token } from 'cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';

export interface TlsCertificateProps {
  /** The host the certificate is for (the app host), e.g. `api.example.com`. */
  readonly domainName: string;
  /** Additional names on the same certificate. Default: []. */
  readonly subjectAlternativeNames?: string[];
  /** Route 53 zone that holds the DNS validation records (must be authoritative for every name). */
  readonly zoneId: string;
  /**
   * Key algorithm. Default: 'RSA_2048', which every client supports; `EC_prime256v1` gives faster
   * handshakes when all clients are known to be modern.
   */
  readonly keyAlgorithm?: 'RSA_2048' | 'EC_prime256v1';
}

/**
 * An ACM certificate validated through DNS records in Route 53. ACM renews DNS-validated
 * certificates automatically as long as the records stay, so the records are managed here too.
 */
export class TlsCertificate extends Construct {
  /**
   * ARN of the certificate taken from the validation resource, so whatever uses it (the ALB
   * listener) waits until the certificate is issued instead of failing on a pending one.
   */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: TlsCertificateProps) {
    super(scope, id);
    const certificate = new AcmCertificate(this, 'certificate', {
      domainName: props.domainName,
      subjectAlternativeNames: props.subjectAlternativeNames ?? [],
      validationMethod: 'DNS',
      keyAlgorithm: props.keyAlgorithm ?? 'RSA_2048',
      // Listeners keep serving the old certificate until the replacement exists.
      lifecycle: { createBeforeDestroy: true },
    });

    // The validation options are only known after apply, so iterate in Terraform (for_each keyed
    // by domain name) rather than in TypeScript.
    const options = TerraformIterator.fromComplexList(
      certificate.domainValidationOptions,
      'domain_name',
    );
    const records = new Route53Record(this, 'validation-record', {
      forEach: options,
      zoneId: props.zoneId,
      name: options.getString('resource_record_name'),
      type: options.getString('resource_record_type'),
      records: [options.getString('resource_record_value')],
      ttl: 60,
      // A wildcard and its apex share one validation record; a re-created certificate reuses it.
      allowOverwrite: true,
    });

    const validation = new AcmCertificateValidation(this, 'validation', {
      certificateArn: certificate.arn,
      validationRecordFqdns: Token.asList(
        TerraformIterator.fromResources(records).pluckProperty('fqdn'),
      ),
    });
    this.certificateArn = validation.certificateArn;
  }
}
