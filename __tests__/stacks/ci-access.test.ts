import { loadConfig, environmentsOf } from '../../config';
import { projectConfig } from '../../config/environments';
import { RUNNER_BUILD_TIMEOUT_MINUTES } from '../../modules/cluster/github-runner';
import { TERRAFORM_READER_GROUP } from '../../modules/cluster/terraform-reader-rbac';
import { ciRunnerProjectName } from '../../stacks/names';
import { synthPlatform } from '../helpers/app-synth';
import { resourcesOf } from '../helpers/synth';

/*
 * How CI reaches each environment (issue 12, items 1, 2 and 8): one deploy role per environment,
 * admin only on its own cluster; a read-only viewer for plans of main; a runner inside the VPC
 * where GitHub-hosted runners cannot reach the cluster endpoint.
 */
const config = loadConfig();
const platform = synthPlatform(config);
const environments = environmentsOf(config);

describe('cluster access per environment', () => {
  it.each(environments.map((env) => [env.name] as const))(
    '%s: its own deploy role is the only CI admin; the plan-main role only views',
    (name) => {
      const json = platform.stack(`${name}-infra`).json;
      const entries = Object.entries(resourcesOf(json, 'aws_eks_access_entry'));
      const principals = entries.map(([, entry]) => String(entry.principal_arn));
      expect(principals).toHaveLength(2);
      expect(principals[0]).toMatch(new RegExp(`:role/hello-${name}-github-deploy$`));
      expect(principals[1]).toMatch(/:role\/hello-github-plan-main$/);
      // No other environment's deploy role, and never the pull-request plan role.
      expect(principals.some((arn) => arn.endsWith(':role/hello-github-plan'))).toBe(false);
      for (const other of environments.filter((env) => env.name !== name)) {
        expect(principals.join()).not.toContain(`hello-${other.name}-github-deploy`);
      }

      const policyOf = (prefix: string) =>
        Object.entries(resourcesOf(json, 'aws_eks_access_policy_association'))
          .filter(([address]) => address.startsWith(prefix))
          .map(([, association]) => String(association.policy_arn));
      expect(policyOf('eks_admin-0-policy_')).toEqual([
        expect.stringMatching(/AmazonEKSClusterAdminPolicy$/),
      ]);
      expect(policyOf('eks_viewer-0-policy_')).toEqual([
        expect.stringMatching(/AmazonEKSViewPolicy$/),
      ]);
      const viewer = entries.find(([address]) => address.startsWith('eks_viewer-0_'))?.[1];
      expect(viewer?.kubernetes_groups).toEqual([TERRAFORM_READER_GROUP]);
    },
  );

  it.each(environments.map((env) => [env.name] as const))(
    '%s-workloads: every Helm release namespace has a reader Role for its release Secrets',
    (name) => {
      const json = platform.stack(`${name}-workloads`).json;
      const releaseNamespaces = Object.values(resourcesOf(json, 'helm_release')).map((release) =>
        String(release.namespace),
      );
      expect(releaseNamespaces.length).toBeGreaterThan(1);
      const readable = Object.values(resourcesOf(json, 'kubernetes_role_v1')).map((role) =>
        String((role.metadata as { namespace: string }).namespace),
      );
      // A new release in another namespace must get a Role too, or drift checks get 403.
      for (const namespace of releaseNamespaces) expect(readable).toContain(namespace);
      expect(new Set(readable).size).toBe(readable.length);
    },
  );
});

describe('CodeBuild-hosted runners', () => {
  const withRunner = environments.filter((env) => env.ci.runner.type === 'codebuild');

  it('run staging and prod, whose endpoints hosted runners cannot reach; dev stays hosted', () => {
    expect(withRunner.map((env) => env.name)).toEqual(['staging', 'prod']);
    expect(resourcesOf(platform.stack('dev-infra').json, 'aws_codebuild_project')).toEqual({});
  });

  it.each(withRunner.map((env) => [env.name, env] as const))(
    '%s: one runner project in the private subnets with HTTPS to the cluster security group',
    (name, env) => {
      const json = platform.stack(`${name}-infra`).json;
      const projects = Object.values(resourcesOf(json, 'aws_codebuild_project'));
      expect(projects).toHaveLength(1);
      const project = projects[0]!;
      expect(project.name).toBe(ciRunnerProjectName(config, env));
      expect(project.build_timeout).toBe(RUNNER_BUILD_TIMEOUT_MINUTES);
      const vpc = project.vpc_config as { subnets: string[] };
      expect(vpc.subnets.length).toBe(env.azCount);
      for (const subnet of vpc.subnets) expect(subnet).toMatch(/aws_subnet\.network_private-/);
      const toCluster = Object.entries(resourcesOf(json, 'aws_vpc_security_group_ingress_rule'))
        .filter(([address]) => address.startsWith('github-runner_cluster-from-runner_'))
        .map(([, rule]) => rule);
      expect(toCluster).toHaveLength(1);
      expect(toCluster[0]).toMatchObject({ from_port: 443, to_port: 443, ip_protocol: 'tcp' });
      expect(String(toCluster[0]?.security_group_id)).toMatch(
        /aws_eks_cluster\.eks_cluster_\w+\.vpc_config\[0\]\.cluster_security_group_id/,
      );
      const webhooks = Object.values(resourcesOf(json, 'aws_codebuild_webhook'));
      expect(JSON.stringify(webhooks)).toContain('WORKFLOW_JOB_QUEUED');
    },
  );

  it('a hosted-runner environment on shared state whose endpoint is not open to the internet fails synth', () => {
    const broken = {
      ...projectConfig,
      environments: {
        ...projectConfig.environments,
        staging: {
          ...projectConfig.environments.staging!,
          ci: { runner: { type: 'github-hosted' as const } },
        },
      },
    };
    expect(() => loadConfig(broken)).toThrow(
      /environments\.staging\.ci\.runner: GitHub-hosted runners cannot reach a Kubernetes API endpoint open only to 203\.0\.113\.0\/24/,
    );
    const privateProd = {
      ...projectConfig,
      environments: {
        ...projectConfig.environments,
        prod: { ...projectConfig.environments.prod!, ci: undefined },
      },
    };
    expect(() => loadConfig(privateProd)).toThrow(
      /environments\.prod\.ci\.runner: GitHub-hosted runners cannot reach a private Kubernetes API endpoint/,
    );
  });
});
