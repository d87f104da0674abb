import { Construct } from 'constructs';
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import { IamOpenidConnectProvider } from '@cdktf/provider-aws/lib/iam-openid-connect-provider';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';

/** Audience HCP Terraform puts in AWS workload identity tokens unless a workspace overrides it. */
export const TFC_AWS_AUDIENCE = 'aws.workload.identity';

export interface TfcAwsOidcProps {
  /** HCP Terraform organization whose runs may assume the role. */
  readonly organization: string;
  /** HCP Terraform project that holds the workspaces (part of the token's `sub`). */
  readonly project: string;
  /** Exact workspace names whose runs may assume the role; wildcards are refused. */
  readonly workspaces: string[];
  /** Name of the IAM role. */
  readonly roleName: string;
  /**
   * Managed policies attached to the role: what plans and applies may do in the account.
   * Default: none (the role can be assumed but may do nothing until the stack grants it rights).
   */
  readonly policyArns?: string[];
  /** Hostname of HCP Terraform or a Terraform Enterprise install. Default: `app.terraform.io`. */
  readonly hostname?: string;
  /**
   * Token audience; must match `TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE` when a workspace sets it.
   * Default: `aws.workload.identity`.
   */
  readonly audience?: string;
  /**
   * ARN of an IAM OIDC provider for the same hostname that already exists in the account (an
   * account holds one provider per URL, so the second environment reuses the first one's).
   * Default: a new provider is created.
   */
  readonly existingProviderArn?: string;
  /** Permissions boundary for the role. Default: none. */
  readonly permissionsBoundaryArn?: string;
  /** Longest session a run gets, in seconds (3600-43200). Default: 3600 (one hour). */
  readonly maxSessionDurationSeconds?: number;
}

/**
 * `sub` claim of an HCP Terraform workload identity token for any run phase of one workspace:
 * `organization:<org>:project:<project>:workspace:<workspace>:run_phase:*`.
 */
export function tfcSubject(organization: string, project: string, workspace: string): string {
  return `organization:${organization}:project:${project}:workspace:${workspace}:run_phase:*`;
}

/** Names go into a `StringLike` condition, so `*`, `?` and `:` would widen who may assume the role. */
function assertLiteral(kind: string, value: string): void {
  if (!value || /[*?:]/.test(value)) {
    throw new Error(`TfcAwsOidc: ${kind} "${value}" must be a literal name without * ? or :`);
  }
}

/**
 * AWS side of HCP Terraform dynamic provider credentials: an IAM OIDC provider for the Terraform
 * host and one role that only runs of the listed workspaces (in that organization and project)
 * can assume. No long-lived AWS keys are stored in Terraform Cloud.
 */
export class TfcAwsOidc extends Construct {
  /** ARN of the role; the value of the workspaces' `TFC_AWS_RUN_ROLE_ARN`. */
  public readonly roleArn: string;
  /** Name of the role. */
  public readonly roleName: string;
  /** ARN of the OIDC provider (created here or passed in). */
  public readonly providerArn: string;

  constructor(scope: Construct, id: string, props: TfcAwsOidcProps) {
    super(scope, id);
    const hostname = props.hostname ?? 'app.terraform.io';
    const audience = props.audience ?? TFC_AWS_AUDIENCE;
    assertLiteral('organization', props.organization);
    assertLiteral('project', props.project);
    if (props.workspaces.length === 0) {
      throw new Error('TfcAwsOidc: at least one workspace must be allowed to assume the role');
    }
    props.workspaces.forEach((workspace) => assertLiteral('workspace', workspace));

    if (props.existingProviderArn) {
      this.providerArn = props.existingProviderArn;
    } else {
      // No thumbprint: IAM verifies well-known OIDC hosts against its own trusted CAs, and a
      // pinned thumbprint breaks when the host rotates its certificate.
      const provider = new IamOpenidConnectProvider(this, 'provider', {
        url: `https://${hostname}`,
        clientIdList: [audience],
        tags: { Name: hostname },
      });
      this.providerArn = provider.arn;
    }

    const trust = new DataAwsIamPolicyDocument(this, 'trust', {
      statement: [
        {
          sid: 'TerraformCloudRuns',
          effect: 'Allow',
          actions: ['sts:AssumeRoleWithWebIdentity'],
          principals: [{ type: 'Federated', identifiers: [this.providerArn] }],
          condition: [
            { test: 'StringEquals', variable: `${hostname}:aud`, values: [audience] },
            {
              // StringLike only for the trailing run_phase:*; everything before it is literal.
              test: 'StringLike',
              variable: `${hostname}:sub`,
              values: props.workspaces.map((workspace) =>
                tfcSubject(props.organization, props.project, workspace),
              ),
            },
          ],
        },
      ],
    });

    const role = new IamRole(this, 'role', {
      name: props.roleName,
      description: `HCP Terraform runs of workspaces in ${props.organization}/${props.project}`,
      assumeRolePolicy: trust.json,
      maxSessionDuration: props.maxSessionDurationSeconds ?? 3600,
      permissionsBoundary: props.permissionsBoundaryArn,
    });
    (props.policyArns ?? []).forEach((policyArn, index) => {
      new IamRolePolicyAttachment(this, `policy-${index}`, { role: role.name, policyArn });
    });

    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
