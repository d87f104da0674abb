import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { Release } from '@cdktf/provider-helm/lib/release';
import {
  ClusterAutoscaler,
  type ClusterAutoscalerProps,
} from '../../../modules/cluster/cluster-autoscaler';
import {
  CLUSTER_AUTOSCALER_SCALING_ACTIONS,
  ClusterAutoscalerIdentity,
} from '../../../modules/cluster/cluster-autoscaler-identity';
import { clusterAutoscalerDiscoveryTags } from '../../../modules/cluster/eks-node-group';
import { chartReferenceFile } from '../../helpers/chart-reference';
import { onlyResource, resourcesOf, synthConstructs } from '../../helpers/synth';

const CHART = 'cluster-autoscaler' as const;
const tags = clusterAutoscalerDiscoveryTags('hello-prod');

describe('ClusterAutoscalerIdentity', () => {
  const { json } = synthConstructs((scope) => {
    new ClusterAutoscalerIdentity(scope, 'cluster-autoscaler', {
      namePrefix: 'hello-prod',
      clusterName: '${aws_eks_cluster.c.name}',
      discoveryTags: tags,
    });
  });
  const documents = json.data?.aws_iam_policy_document ?? {};
  const documentNamed = (part: string) => {
    const found = Object.entries(documents).find(([name]) => name.includes(part));
    if (!found) throw new Error(`no policy document ${part}`);
    return found[1] as { statement: Record<string, unknown>[] };
  };

  it('is assumed only by EKS Pod Identity for this cluster', () => {
    const [trust] = documentNamed('_trust').statement;
    expect(trust).toMatchObject({
      principals: [{ type: 'Service', identifiers: ['pods.eks.amazonaws.com'] }],
      actions: ['sts:AssumeRole', 'sts:TagSession'],
    });
    expect(JSON.stringify(trust!.condition)).toContain('cluster/${aws_eks_cluster.c.name}');
    expect(trust!.condition).toEqual(
      expect.arrayContaining([
        {
          test: 'StringEquals',
          variable: 'aws:RequestTag/kubernetes-namespace',
          values: ['cluster-autoscaler'],
        },
        {
          test: 'StringEquals',
          variable: 'aws:RequestTag/kubernetes-service-account',
          values: ['cluster-autoscaler'],
        },
      ]),
    );
  });

  it("scales only Auto Scaling groups carrying all of the cluster's discovery tags", () => {
    const statements = documentNamed('permissions').statement;
    expect(statements).toHaveLength(3);
    const scale = statements.find((statement) => statement.sid === 'ScaleOwnNodeGroups')!;
    expect(scale.actions).toEqual(CLUSTER_AUTOSCALER_SCALING_ACTIONS);
    expect(String((scale.resources as string[])[0])).toMatch(
      /:autoscaling:.*:autoScalingGroup:\*:autoScalingGroupName\/\*$/,
    );
    expect(scale.condition).toEqual([
      {
        test: 'StringEquals',
        variable: 'aws:ResourceTag/k8s.io/cluster-autoscaler/enabled',
        values: ['true'],
      },
      {
        test: 'StringEquals',
        variable: 'aws:ResourceTag/k8s.io/cluster-autoscaler/hello-prod',
        values: ['owned'],
      },
    ]);
    const read = statements.find((statement) => statement.sid === 'ReadOwnNodeGroups')!;
    expect(read.actions).toEqual(['eks:DescribeNodegroup']);
    expect(String((read.resources as string[])[0])).toContain(
      ':nodegroup/${aws_eks_cluster.c.name}/*',
    );
    // Nothing but reads on `*`.
    const wildcard = statements.find((statement) => statement.sid === 'ReadScalingState')!;
    for (const action of wildcard.actions as string[]) {
      expect(action).toMatch(/:(Describe|Get)/);
    }
  });

  it('binds the role to cluster-autoscaler/cluster-autoscaler (its own namespace)', () => {
    const association = onlyResource(json, 'aws_eks_pod_identity_association');
    expect(association).toMatchObject({
      cluster_name: '${aws_eks_cluster.c.name}',
      namespace: 'cluster-autoscaler',
      service_account: 'cluster-autoscaler',
    });
    expect(String(association.role_arn)).toMatch(/aws_iam_role\.cluster-autoscaler_role/);
    expect(Object.keys(resourcesOf(json, 'aws_iam_role_policy'))).toHaveLength(1);
  });

  it('refuses to build a role that could scale untagged groups', () => {
    expect(() =>
      synthConstructs(
        (scope) =>
          new ClusterAutoscalerIdentity(scope, 'ca', {
            namePrefix: 'x',
            clusterName: 'x',
            discoveryTags: {},
          }),
      ),
    ).toThrow(/discovery tags/);
  });
});

describe('ClusterAutoscaler', () => {
  const props: ClusterAutoscalerProps = {
    clusterName: 'hello-prod',
    region: 'eu-west-1',
    discoveryTags: tags,
    imageTag: 'v1.35.2',
    kubernetesVersion: '1.35',
  };
  let module: ClusterAutoscaler | undefined;
  const { synthesized, json } = synthConstructs((scope) => {
    module = new ClusterAutoscaler(scope, 'cluster-autoscaler', props);
  });
  const release = onlyResource(json, 'helm_release');
  const values = JSON.parse((release.values as string[])[0]!) as Record<string, unknown>;
  const chartValues = parseYaml(
    readFileSync(chartReferenceFile('values.yaml', CHART), 'utf8'),
  ) as Record<string, unknown>;
  const deploymentTemplate = readFileSync(
    chartReferenceFile('templates/deployment.yaml', CHART),
    'utf8',
  );
  const chartYaml = parseYaml(readFileSync(chartReferenceFile('Chart.yaml', CHART), 'utf8')) as {
    version: string;
    appVersion: string;
  };

  it('installs the pinned chart (the version of the reference copy) into its own namespace', () => {
    expect(synthesized).toHaveResourceWithProperties(Release, {
      name: 'cluster-autoscaler',
      namespace: 'cluster-autoscaler',
      repository: 'https://kubernetes.github.io/autoscaler',
      chart: 'cluster-autoscaler',
      version: chartYaml.version,
      atomic: true,
      wait: true,
    });
    expect(module?.values).toEqual(values);
  });

  /** Dotted paths of every leaf the values set (objects walked, lists and scalars are leaves). */
  const leaves = (object: Record<string, unknown>, prefix = ''): string[] =>
    Object.entries(object).flatMap(([key, value]) =>
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? leaves(value as Record<string, unknown>, `${prefix}${key}.`)
        : [`${prefix}${key}`],
    );

  const templates = readdirSync(
    path.dirname(chartReferenceFile('templates/deployment.yaml', CHART)),
  )
    .map((file) => readFileSync(chartReferenceFile(`templates/${file}`, CHART), 'utf8'))
    .join('\n');
  // Maps the templates iterate over (`range $key, $value := .Values.extraArgs`) take any key.
  const rangedMaps = new Set(
    [...templates.matchAll(/range \$\w+, \$\w+ := \.Values\.([\w.]+)/g)].map((match) => match[1]!),
  );

  it("sets only keys the chart's values.yaml declares (free-form maps excepted)", () => {
    expect(rangedMaps.has('extraArgs')).toBe(true);
    const paths = leaves(values);
    expect(paths.length).toBeGreaterThanOrEqual(15);
    const unknown = paths.filter((path) => {
      let node: unknown = chartValues;
      const keys = path.split('.');
      for (const [index, key] of keys.entries()) {
        if (rangedMaps.has(keys.slice(0, index).join('.'))) return false;
        if (node === null || typeof node !== 'object') return true;
        const map = node as Record<string, unknown>;
        // `{}` in values.yaml is a free-form map the templates print whole (resources, ...).
        if (Object.keys(map).length === 0) return false;
        if (!(key in map)) return true;
        node = map[key];
      }
      return false;
    });
    expect(unknown).toEqual([]);
    // The chart reads each top-level key somewhere in its templates.
    for (const key of Object.keys(values)) {
      expect([key, templates.includes(`.Values.${key}`)]).toEqual([key, true]);
    }
  });

  it('discovers node groups by the tags EKS and the node groups carry, on AWS', () => {
    expect(values.cloudProvider).toBe('aws');
    expect(values.autoDiscovery).toEqual({
      clusterName: 'hello-prod',
      tags: [
        'k8s.io/cluster-autoscaler/enabled=true',
        'k8s.io/cluster-autoscaler/hello-prod=owned',
      ],
    });
    // The chart turns these into --node-group-auto-discovery only for aws with a cluster name.
    expect(deploymentTemplate).toContain(
      '- --node-group-auto-discovery=asg:tag={{ tpl (join "," .Values.autoDiscovery.tags) . }}',
    );
    expect(deploymentTemplate).toMatch(
      /if eq \.Values\.cloudProvider "aws" \}\}\s*\{\{- if \.Values\.autoDiscovery\.clusterName \}\}/,
    );
  });

  it('runs as the ServiceAccount its Pod Identity association names, hardened', () => {
    expect(values.rbac).toEqual({ serviceAccount: { create: true, name: 'cluster-autoscaler' } });
    expect(values.image).toEqual({ tag: 'v1.35.2' });
    expect(values.containerSecurityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(values.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(values.extraArgs).toMatchObject({
      'skip-nodes-with-local-storage': false,
      'balance-similar-node-groups': true,
    });
  });

  it('passes only flags Cluster Autoscaler 1.35 knows', () => {
    const flags = readFileSync(chartReferenceFile('flags.txt', CHART), 'utf8').split('\n');
    expect(flags.length).toBeGreaterThan(100);
    const extraArgs = Object.keys(values.extraArgs as Record<string, unknown>);
    expect(extraArgs.length).toBeGreaterThanOrEqual(4);
    expect(extraArgs.filter((flag) => !flags.includes(flag))).toEqual([]);
  });

  it("refuses an autoscaler whose minor version differs from the cluster's", () => {
    expect(() =>
      synthConstructs(
        (scope) => new ClusterAutoscaler(scope, 'ca', { ...props, imageTag: 'v1.34.5' }),
      ),
    ).toThrow(/must equal the cluster's/);
    expect(chartYaml.appVersion).toBe('1.35.0');
  });
});
