import { Construct } from 'constructs';
import { DataTfeProject } from '@cdktf/provider-tfe/lib/data-tfe-project';
import { Project } from '@cdktf/provider-tfe/lib/project';
import { Variable } from '@cdktf/provider-tfe/lib/variable';
import { Workspace } from '@cdktf/provider-tfe/lib/workspace';
import { WorkspaceSettings } from '@cdktf/provider-tfe/lib/workspace-settings';

/**
 * Workspace name for a cdktf stack: `<prefix>-<stack>`. Stacks pass the same name to their
 * `CloudBackend`, and `TfcAwsOidc` trusts it, so all three must come from this function.
 */
export function tfcWorkspaceName(prefix: string, stack: string): string {
  return `${prefix}-${stack}`;
}

/** One cdktf stack that gets a workspace. */
export interface WorkspaceStack {
  /** cdktf stack name, e.g. `prod-infra`. */
  readonly name: string;
  /**
   * Stacks whose outputs this stack reads through cross-stack references; each of them shares
   * its state with this stack's workspace and no other. Default: none.
   */
  readonly dependencies?: string[];
  /** Role runs of this workspace assume. Default: the construct's `awsRunRoleArn`. */
  readonly awsRunRoleArn?: string;
}

/** VCS-driven runs: HCP Terraform plans and applies the synthesized JSON committed to a branch. */
export interface TfcVcsSettings {
  /** `<owner>/<repository>`. */
  readonly identifier: string;
  /** Branch that holds the synthesized stacks (the output of `cdktf synth`). */
  readonly branch: string;
  /** GitHub App installation id (preferred over an OAuth token). Default: none. */
  readonly githubAppInstallationId?: string;
  /** OAuth token id of a VCS provider configured in the organization. Default: none. */
  readonly oauthTokenId?: string;
  /** Directory that holds one sub-directory per stack in that branch. Default: `cdktf.out/stacks`. */
  readonly stacksDirectory?: string;
}

export interface TfcWorkspacesProps {
  /** HCP Terraform organization (must exist). */
  readonly organization: string;
  /** Project that holds the workspaces. */
  readonly projectName: string;
  /** Create the project; false to use an existing one of that name. Default: true. */
  readonly createProject?: boolean;
  /** Workspace names are `<workspacePrefix>-<stack>`, e.g. `hello-prod-infra`. */
  readonly workspacePrefix: string;
  /** The stacks that get a workspace, with their cross-stack dependencies. */
  readonly stacks: WorkspaceStack[];
  /** Role the runs assume through dynamic credentials (`TFC_AWS_RUN_ROLE_ARN`). */
  readonly awsRunRoleArn: string;
  /**
   * Audience of the AWS workload identity token, when the OIDC provider does not use the default.
   * Default: not set (HCP Terraform uses `aws.workload.identity`).
   */
  readonly awsAudience?: string;
  /** Terraform version the runs use; keep it equal to the version CI pins. Default: `1.11.4`. */
  readonly terraformVersion?: string;
  /**
   * Apply successful plans without confirmation. Only relevant for VCS-driven runs; CLI-driven
   * runs are confirmed by `-auto-approve` in the deploy workflow. Default: false.
   */
  readonly autoApply?: boolean;
  /** VCS connection for VCS-driven runs. Default: none (CLI-driven runs from `cdktf`/CI). */
  readonly vcs?: TfcVcsSettings;
  /** Health assessments (drift detection in HCP Terraform; needs a paid plan). Default: false. */
  readonly assessmentsEnabled?: boolean;
  /**
   * Allow destroy plans (`cdktf destroy`/`terraform destroy`). Turn on only for a planned teardown,
   * apply, destroy, then turn it off again. Default: false.
   */
  readonly allowDestroyPlan?: boolean;
  /** Tags on every workspace. Default: none. */
  readonly tags?: Record<string, string>;
}

/**
 * HCP Terraform workspaces for the cdktf stacks of one environment: one workspace per stack with
 * remote execution, state shared only with the stacks that read it, and AWS dynamic provider
 * credentials (no static AWS keys in Terraform Cloud).
 */
export class TfcWorkspaces extends Construct {
  /** Project id. */
  public readonly projectId: string;
  /** Workspace id per stack name. */
  public readonly workspaceIds: Record<string, string>;
  /** Workspace name per stack name. */
  public readonly workspaceNames: Record<string, string>;

  constructor(scope: Construct, id: string, props: TfcWorkspacesProps) {
    super(scope, id);
    const stackNames = new Set(props.stacks.map((s) => s.name));
    if (stackNames.size !== props.stacks.length) {
      throw new Error('TfcWorkspaces: stack names must be unique');
    }
    for (const stack of props.stacks) {
      for (const dep of stack.dependencies ?? []) {
        if (!stackNames.has(dep)) {
          throw new Error(
            `TfcWorkspaces: "${stack.name}" depends on "${dep}", which has no workspace here`,
          );
        }
      }
    }

    this.projectId =
      props.createProject === false
        ? new DataTfeProject(this, 'project', {
            organization: props.organization,
            name: props.projectName,
          }).id
        : new Project(this, 'project', {
            organization: props.organization,
            name: props.projectName,
            description: `Workspaces of the ${props.workspacePrefix} stacks (managed by cdktf)`,
          }).id;

    const stacksDirectory = props.vcs?.stacksDirectory ?? 'cdktf.out/stacks';
    const workspaces = new Map<string, Workspace>();
    for (const stack of props.stacks) {
      const workingDirectory = props.vcs ? `${stacksDirectory}/${stack.name}` : undefined;
      workspaces.set(
        stack.name,
        new Workspace(this, `workspace-${stack.name}`, {
          organization: props.organization,
          projectId: this.projectId,
          name: tfcWorkspaceName(props.workspacePrefix, stack.name),
          description: `cdktf stack ${stack.name}`,
          terraformVersion: props.terraformVersion ?? '1.11.4',
          autoApply: props.autoApply ?? false,
          assessmentsEnabled: props.assessmentsEnabled ?? false,
          // A destroy must be a deliberate, reviewed act (see the teardown guide).
          allowDestroyPlan: props.allowDestroyPlan ?? false,
          queueAllRuns: false,
          tags: props.tags,
          ...(props.vcs && workingDirectory
            ? {
                workingDirectory,
                fileTriggersEnabled: true,
                triggerPatterns: [`${workingDirectory}/**/*`],
                vcsRepo: {
                  identifier: props.vcs.identifier,
                  branch: props.vcs.branch,
                  githubAppInstallationId: props.vcs.githubAppInstallationId,
                  oauthTokenId: props.vcs.oauthTokenId,
                },
              }
            : {}),
        }),
      );
    }

    for (const stack of props.stacks) {
      const workspace = workspaces.get(stack.name) as Workspace;
      // Only the stacks that read this stack's outputs may read its state.
      const consumers = props.stacks
        .filter((other) => other.dependencies?.includes(stack.name))
        .map((other) => (workspaces.get(other.name) as Workspace).id);
      new WorkspaceSettings(this, `settings-${stack.name}`, {
        workspaceId: workspace.id,
        executionMode: 'remote',
        globalRemoteState: false,
        remoteStateConsumerIds: consumers,
      });

      const env: Record<string, string> = {
        TFC_AWS_PROVIDER_AUTH: 'true',
        TFC_AWS_RUN_ROLE_ARN: stack.awsRunRoleArn ?? props.awsRunRoleArn,
        ...(props.awsAudience ? { TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE: props.awsAudience } : {}),
      };
      for (const [key, value] of Object.entries(env)) {
        new Variable(this, `${stack.name}-${key.toLowerCase()}`, {
          workspaceId: workspace.id,
          category: 'env',
          key,
          value,
          // A role ARN is not a secret, and keeping it visible helps when a run cannot assume it.
          sensitive: false,
          description: 'AWS dynamic provider credentials (managed by cdktf)',
        });
      }
    }

    this.workspaceIds = Object.fromEntries(
      [...workspaces].map(([stack, workspace]) => [stack, workspace.id]),
    );
    this.workspaceNames = Object.fromEntries(
      props.stacks.map((s) => [s.name, tfcWorkspaceName(props.workspacePrefix, s.name)]),
    );
  }
}
