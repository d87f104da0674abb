import { TerraformOutput } from 'cdktf';
import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { TlsCertificate, type TlsCertificateProps } from '../../../modules/network/tls-certificate';
import { onlyResource, synthConstructs } from '../../helpers/synth';

function synth(props: TlsCertificateProps) {
  return synthConstructs((scope) => {
    const cert = new TlsCertificate(scope, 'tls', props);
    new TerraformOutput(scope, 'certificate_arn', { value: cert.certificateArn });
  });
}

describe('TlsCertificate', () => {
  it('requests a DNS-validated RSA certificate that is replaced before it is destroyed', () => {
    const { synthesized, json } = synth({ domainName: 'api.example.com', zoneId: 'Z123' });
    expect(synthesized).toHaveResourceWithProperties(AcmCertificate, {
      domain_name: 'api.example.com',
      subject_alternative_names: [],
      validation_method: 'DNS',
      key_algorithm: 'RSA_2048',
      lifecycle: { create_before_destroy: true },
    });
    expect(onlyResource(json, 'aws_acm_certificate')).not.toHaveProperty(
      'lifecycle.prevent_destroy',
    );
  });

  it('passes SANs and the key algorithm through (prod-like)', () => {
    const { synthesized } = synth({
      domainName: 'api.example.com',
      subjectAlternativeNames: ['www.example.com'],
      zoneId: 'Z123',
      keyAlgorithm: 'EC_prime256v1',
    });
    expect(synthesized).toHaveResourceWithProperties(AcmCertificate, {
      subject_alternative_names: ['www.example.com'],
      key_algorithm: 'EC_prime256v1',
    });
  });

  it('creates one validation record per domain validation option with for_each', () => {
    const { synthesized, json } = synth({ domainName: 'api.example.com', zoneId: 'Z123' });
    expect(synthesized).toHaveResourceWithProperties(Route53Record, {
      zone_id: 'Z123',
      ttl: 60,
      allow_overwrite: true,
    });
    const record = onlyResource(json, 'aws_route53_record');
    expect(record.for_each).toMatch(
      /^\$\{\{ for key, val in tolist\(aws_acm_certificate\.tls_certificate_\w+\.domain_validation_options\): val\.domain_name => val \}\}$/,
    );
    expect(record.name).toBe('${each.value.resource_record_name}');
    expect(record.type).toBe('${each.value.resource_record_type}');
    expect(record.records).toEqual(['${each.value.resource_record_value}']);
  });

  it('waits for validation using the records fqdns and exposes the validated ARN', () => {
    const { json } = synth({ domainName: 'api.example.com', zoneId: 'Z123' });
    const validation = onlyResource(json, 'aws_acm_certificate_validation');
    expect(validation.certificate_arn).toMatch(
      /^\$\{aws_acm_certificate\.tls_certificate_\w+\.arn\}$/,
    );
    expect(validation.validation_record_fqdns).toMatch(
      /^\$\{\[ for key, val in aws_route53_record\.tls_validation-record_\w+: val\.fqdn\]\}$/,
    );
    expect(json.output?.certificate_arn?.value).toMatch(
      /^\$\{aws_acm_certificate_validation\.tls_validation_\w+\.certificate_arn\}$/,
    );
  });
});
