import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { TfeProvider } from '@cdktf/provider-tfe/lib/provider';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import { deployBoundaryPolicyArn } from '../modules/account/permissions-boundary';
import { TfcAwsOidc } from '../modules/tfc/tfc-aws-oidc';
import { tfcWorkspaceName, TfcWorkspaces } from '../modules/tfc/tfc-workspaces';
import type { BackendContext } from './backend';
import { stackNames } from './names';
import { accountStackProps, ProjectStack } from './project-stack';

/** Environments whose stacks run in Terraform Cloud, grouped by where their workspaces live. */
interface WorkspaceGroup {
  readonly hostname: string;
  readonly organization: string;
  readonly project: string;
  readonly workspacePrefix: string;
  readonly environments: EnvironmentConfig[];
}

/** Groups the cloud-backend environments by hostname, organization, project and prefix. */
export function cloudWorkspaceGroups(
  config: ProjectConfig,
  environments: readonly EnvironmentConfig[],
): WorkspaceGroup[] {
  const groups = new Map<string, WorkspaceGroup>();
  for (const env of environments) {
    if (env.backend.type !== 'cloud') continue;
    const group = {
      hostname: env.backend.hostname,
      organization: env.backend.organization,
      project: env.backend.project,
      workspacePrefix: env.backend.workspacePrefix ?? config.name,
    };
    const key = JSON.stringify(group);
    const existing = groups.get(key);
    if (existing) existing.environments.push(env);
    else groups.set(key, { ...group, environments: [env] });
  }
  return [...groups.values()];
}

export interface TfcStackProps {
  readonly config: ProjectConfig;
  readonly groups: readonly WorkspaceGroup[];
  readonly backendContext: BackendContext;
}

/** HCP Terraform's built-in project, which exists in every organization. */
const DEFAULT_PROJECT = 'Default Project';

/**
 * `tfc`: the Terraform Cloud side of environments on the `cloud` backend, applied after
 * `bootstrap` with a Terraform Cloud token (`TFE_TOKEN`). It creates one workspace per stack with
 * the names the backend blocks use, shares each workspace's state only with the stacks that read
 * it, and gives runs AWS credentials through OIDC: a role trusted only by those workspaces' runs,
 * holding the same bounded administrator rights as the GitHub deploy role.
 */
export class TfcStack extends ProjectStack {
  constructor(scope: Construct, id: string, props: TfcStackProps) {
    const { config } = props;
    // Roles it creates are used by Terraform Cloud runs: same boundary as the deploy role's.
    super(scope, id, {
      ...accountStackProps(config, props.backendContext),
      deployBoundaryPrefix: config.name,
    });
    const boundaryArn = deployBoundaryPolicyArn(this.partition, this.accountId, config.name);
    const oidcProviders = new Map<string, string>();

    // Config validation guarantees one hostname; resources name their organization themselves.
    new TfeProvider(this, 'tfe', { hostname: props.groups[0]?.hostname });

    props.groups.forEach((group, index) => {
      const stacks = group.environments.flatMap((env) => [
        { name: stackNames.infra(env) },
        { name: stackNames.workloads(env), dependencies: [stackNames.infra(env)] },
      ]);
      const role = new TfcAwsOidc(this, `aws-oidc-${index}`, {
        hostname: group.hostname,
        organization: group.organization,
        project: group.project,
        workspaces: stacks.map((stack) => tfcWorkspaceName(group.workspacePrefix, stack.name)),
        roleName: `${config.name}-tfc-${index}-run`,
        policyArns: [`arn:${this.partition}:iam::aws:policy/AdministratorAccess`],
        permissionsBoundaryArn: boundaryArn,
        existingProviderArn: oidcProviders.get(group.hostname),
      });
      oidcProviders.set(group.hostname, role.providerArn);

      new TfcWorkspaces(this, `workspaces-${index}`, {
        organization: group.organization,
        projectName: group.project,
        createProject: group.project !== DEFAULT_PROJECT,
        workspacePrefix: group.workspacePrefix,
        stacks,
        awsRunRoleArn: role.roleArn,
      });
      new TerraformOutput(this, `run_role_arn_${index}`, { value: role.roleArn });
    });
  }
}
