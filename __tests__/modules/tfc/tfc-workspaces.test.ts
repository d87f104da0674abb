import { Workspace } from '@cdktf/provider-tfe/lib/workspace';
import { WorkspaceSettings } from '@cdktf/provider-tfe/lib/workspace-settings';
import {
  TfcWorkspaces,
  tfcWorkspaceName,
  type TfcWorkspacesProps,
} from '../../../modules/tfc/tfc-workspaces';
import { resourcesOf, synthConstructs } from '../../helpers/synth';

const roleArn = 'arn:aws:iam::123456789012:role/hello-prod-tfc-run';
const props: TfcWorkspacesProps = {
  organization: 'acme',
  projectName: 'hello-prod',
  workspacePrefix: 'hello',
  stacks: [{ name: 'prod-infra' }, { name: 'prod-workloads', dependencies: ['prod-infra'] }],
  awsRunRoleArn: roleArn,
};

type Json = ReturnType<typeof synthConstructs>['json'];

/** Logical name of the workspace whose `name` is given. */
function workspaceKey(json: Json, name: string): string {
  const entry = Object.entries(resourcesOf(json, 'tfe_workspace')).find(([, w]) => w.name === name);
  if (!entry) throw new Error(`no workspace ${name}`);
  return entry[0];
}

function settingsOf(json: Json, name: string): Record<string, unknown> {
  const ref = `\${tfe_workspace.${workspaceKey(json, name)}.id}`;
  const settings = Object.values(resourcesOf(json, 'tfe_workspace_settings')).find(
    (s) => s.workspace_id === ref,
  );
  if (!settings) throw new Error(`no settings for ${name}`);
  return settings;
}

function envOf(json: Json, name: string): Record<string, unknown> {
  const ref = `\${tfe_workspace.${workspaceKey(json, name)}.id}`;
  return Object.fromEntries(
    Object.values(resourcesOf(json, 'tfe_variable'))
      .filter((v) => v.workspace_id === ref)
      .map((v) => {
        expect(v.category).toBe('env');
        return [v.key, v.value];
      }),
  );
}

describe('TfcWorkspaces', () => {
  const { synthesized, json } = synthConstructs((scope) => new TfcWorkspaces(scope, 'tfc', props));

  it('creates one workspace per stack, named as the cloud backend names it, in the project', () => {
    const names = Object.values(resourcesOf(json, 'tfe_workspace')).map((w) => w.name);
    expect(names.sort()).toEqual(['hello-prod-infra', 'hello-prod-workloads']);
    expect(tfcWorkspaceName('hello', 'prod-infra')).toBe('hello-prod-infra');
    expect(synthesized).toHaveResourceWithProperties(Workspace, {
      name: 'hello-prod-infra',
      organization: 'acme',
      project_id: expect.stringMatching(/^\$\{tfe_project\.[\w-]+\.id\}$/),
      terraform_version: '1.11.4',
      auto_apply: false,
      allow_destroy_plan: false,
    });
    const project = Object.values(resourcesOf(json, 'tfe_project'));
    expect(project).toEqual([
      expect.objectContaining({ name: 'hello-prod', organization: 'acme' }),
    ]);
  });

  it('runs remotely and shares state only with the stacks that read it', () => {
    expect(synthesized).toHaveResourceWithProperties(WorkspaceSettings, {
      execution_mode: 'remote',
    });
    const infra = settingsOf(json, 'hello-prod-infra');
    expect(infra.global_remote_state).toBe(false);
    expect(infra.remote_state_consumer_ids).toEqual([
      `\${tfe_workspace.${workspaceKey(json, 'hello-prod-workloads')}.id}`,
    ]);
    const workloads = settingsOf(json, 'hello-prod-workloads');
    expect(workloads.global_remote_state).toBe(false);
    expect(workloads.remote_state_consumer_ids).toEqual([]);
  });

  it('turns on AWS dynamic credentials in every workspace', () => {
    for (const name of ['hello-prod-infra', 'hello-prod-workloads']) {
      expect(envOf(json, name)).toEqual({
        TFC_AWS_PROVIDER_AUTH: 'true',
        TFC_AWS_RUN_ROLE_ARN: roleArn,
      });
    }
  });

  it('is CLI-driven by default and VCS-driven with a working directory per stack when asked', () => {
    const workspaces = Object.values(resourcesOf(json, 'tfe_workspace'));
    expect(workspaces).toHaveLength(props.stacks.length);
    for (const w of workspaces) {
      expect(w.vcs_repo).toBeUndefined();
      expect(w.working_directory).toBeUndefined();
    }
    const vcs = synthConstructs(
      (scope) =>
        new TfcWorkspaces(scope, 'tfc', {
          ...props,
          createProject: false,
          awsAudience: 'tfc.example',
          vcs: { identifier: 'acme/hello', branch: 'synth', githubAppInstallationId: 'ghain-1' },
        }),
    );
    expect(vcs.synthesized).toHaveResourceWithProperties(Workspace, {
      name: 'hello-prod-workloads',
      working_directory: 'cdktf.out/stacks/prod-workloads',
      trigger_patterns: ['cdktf.out/stacks/prod-workloads/**/*'],
      vcs_repo: {
        identifier: 'acme/hello',
        branch: 'synth',
        github_app_installation_id: 'ghain-1',
      },
    });
    expect(resourcesOf(vcs.json, 'tfe_project')).toEqual({});
    expect(Object.keys(vcs.json.data?.tfe_project ?? {})).toHaveLength(1);
    expect(envOf(vcs.json, 'hello-prod-infra').TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE).toBe(
      'tfc.example',
    );
  });

  it('allows destroy plans only when asked to, for a planned teardown', () => {
    const teardown = synthConstructs(
      (scope) => new TfcWorkspaces(scope, 'tfc', { ...props, allowDestroyPlan: true }),
    );
    const torn = Object.values(resourcesOf(teardown.json, 'tfe_workspace'));
    const kept = Object.values(resourcesOf(json, 'tfe_workspace'));
    expect([torn.length, kept.length]).toEqual([props.stacks.length, props.stacks.length]);
    for (const w of torn) {
      expect(w.allow_destroy_plan).toBe(true);
    }
    for (const w of kept) {
      expect(w.allow_destroy_plan).toBe(false);
    }
  });

  it('lets one stack use its own role', () => {
    const other = 'arn:aws:iam::210987654321:role/bootstrap-tfc-run';
    const { json: perStack } = synthConstructs(
      (scope) =>
        new TfcWorkspaces(scope, 'tfc', {
          ...props,
          stacks: [{ name: 'bootstrap', awsRunRoleArn: other }, ...props.stacks],
        }),
    );
    expect(envOf(perStack, 'hello-bootstrap').TFC_AWS_RUN_ROLE_ARN).toBe(other);
    expect(envOf(perStack, 'hello-prod-infra').TFC_AWS_RUN_ROLE_ARN).toBe(roleArn);
  });

  it('refuses dependencies without a workspace and duplicate stacks', () => {
    expect(() =>
      synthConstructs(
        (scope) =>
          new TfcWorkspaces(scope, 'tfc', {
            ...props,
            stacks: [{ name: 'dev-workloads', dependencies: ['dev-infra'] }],
          }),
      ),
    ).toThrow(/"dev-workloads" depends on "dev-infra", which has no workspace here/);
    expect(() =>
      synthConstructs(
        (scope) =>
          new TfcWorkspaces(scope, 'tfc', { ...props, stacks: [{ name: 'a' }, { name: 'a' }] }),
      ),
    ).toThrow(/unique/);
  });
});
