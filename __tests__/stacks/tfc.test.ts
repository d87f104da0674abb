import { loadConfig } from '../../config';
import { projectConfig } from '../../config/environments';
import { cloudWorkspaceName } from '../../stacks/backend';
import { synthPlatform } from '../helpers/app-synth';
import { ProjectConfigError } from '../../config';

const cloud = {
  type: 'cloud',
  organization: 'acme',
  project: 'hello-platform',
  workspacePrefix: 'hello',
} as const;
const config = loadConfig({
  ...projectConfig,
  environments: {
    ...projectConfig.environments,
    staging: { ...projectConfig.environments.staging!, backend: cloud },
    prod: { ...projectConfig.environments.prod!, backend: cloud },
  },
});
const platform = synthPlatform(config);
const tfc = platform.stack('tfc');
const resources = <T>(type: string) =>
  Object.values((tfc.json.resource?.[type] ?? {}) as Record<string, T>);

describe('the tfc stack (environments on the cloud backend)', () => {
  const cloudStacks = platform.stacks.filter(
    (stack) => (stack.json.terraform as { cloud?: unknown } | undefined)?.cloud !== undefined,
  );

  it('is synthesized only when an environment uses Terraform Cloud', () => {
    expect(synthPlatform().stacks.map((stack) => stack.name)).not.toContain('tfc');
    expect(cloudStacks.map((stack) => stack.name).sort()).toEqual([
      'prod-infra',
      'prod-workloads',
      'staging-infra',
      'staging-workloads',
    ]);
  });

  it('creates exactly the workspaces the backend blocks name', () => {
    const names = resources<{ name: string }>('tfe_workspace')
      .map((ws) => ws.name)
      .sort();
    const used = cloudStacks
      .map(
        (stack) =>
          (stack.json.terraform as { cloud: { workspaces: { name: string } } }).cloud.workspaces
            .name,
      )
      .sort();
    expect(names).toEqual(used);
    expect(names).toEqual(
      cloudStacks
        .map((stack) => cloudWorkspaceName(config.environments.prod!.backend, 'hello', stack.name))
        .sort(),
    );
  });

  it('trusts only runs of those workspaces, in that organization and project', () => {
    const documents = Object.values(
      (tfc.json.data?.aws_iam_policy_document ?? {}) as Record<
        string,
        { statement?: { condition?: { test: string; variable: string; values: string[] }[] }[] }
      >,
    );
    const subjects = documents
      .flatMap((doc) => doc.statement ?? [])
      .flatMap((statement) => statement.condition ?? [])
      .filter((condition) => condition.variable === 'app.terraform.io:sub');
    expect(subjects.length).toBeGreaterThan(0);
    for (const condition of subjects) {
      for (const value of condition.values) {
        expect(value).toMatch(
          /^organization:acme:project:hello-platform:workspace:hello-(staging|prod)-(infra|workloads):run_phase:\*$/,
        );
      }
    }
  });

  it('runs the environment stacks after it, and bounds its run role like the deploy role', () => {
    expect(platform.stack('prod-infra').dependencies).toContain('tfc');
    const roles = resources<{ name: string; permissions_boundary?: string }>('aws_iam_role');
    expect(roles.length).toBeGreaterThan(0);
    for (const role of roles) {
      expect(role.name).toMatch(/^hello-/);
      expect(role.permissions_boundary).toMatch(/:policy\/hello-github-deploy-boundary$/);
    }
  });

  it('rejects cloud backends on different hosts', () => {
    expect(() =>
      loadConfig({
        ...projectConfig,
        environments: {
          ...projectConfig.environments,
          staging: { ...projectConfig.environments.staging!, backend: cloud },
          prod: {
            ...projectConfig.environments.prod!,
            backend: { ...cloud, hostname: 'tfe.example.com' },
          },
        },
      }),
    ).toThrow(ProjectConfigError);
  });
});
