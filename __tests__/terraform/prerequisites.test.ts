import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  awsPackagePath,
  findOnPath,
  findPrerequisites,
  findMotoPython,
  findProviderMirror,
  searchMirror,
  terraformPlatform,
} from '../../scripts/terraform/prerequisites';
import { endpointAliasGroups, withoutAliases } from '../../scripts/terraform/provider-schema';
import { terraformEnv, writeCliConfig } from '../../scripts/terraform/terraform-cli';
import { isNotFound, regionOf } from '../../scripts/terraform/leftovers';

function fakeMirror(root: string): string {
  const mirror = join(root, 'tf-plugins');
  mkdirSync(awsPackagePath(mirror), { recursive: true });
  return mirror;
}

describe('finding the tools', () => {
  it('names the platform as Terraform does', () => {
    expect(terraformPlatform('linux', 'x64')).toBe('linux_amd64');
    expect(terraformPlatform('darwin', 'arm64')).toBe('darwin_arm64');
  });

  it('takes TF_PROVIDER_MIRROR, and says so when it holds no AWS provider', () => {
    const root = mkdtempSync(join(tmpdir(), 'mirror-'));
    const mirror = fakeMirror(root);
    expect(findProviderMirror({ TF_PROVIDER_MIRROR: mirror, HOME: root })).toEqual({ mirror });
    expect(findProviderMirror({ TF_PROVIDER_MIRROR: root, HOME: root }).problem).toMatch(
      /TF_PROVIDER_MIRROR=.* holds no hashicorp\/aws 5\.100\.0/,
    );
  });

  it('finds a mirror in a Terraform plugin directory', () => {
    const home = mkdtempSync(join(tmpdir(), 'home-'));
    const plugins = join(home, '.terraform.d', 'plugins');
    mkdirSync(awsPackagePath(plugins), { recursive: true });
    expect(findProviderMirror({ HOME: home, XDG_DATA_DIRS: '/nonexistent' })).toEqual({
      mirror: plugins,
    });
  });

  it('searches below the given roots, but only so deep', () => {
    const root = mkdtempSync(join(tmpdir(), 'roots-'));
    const shallow = fakeMirror(join(root, 'a'));
    expect(searchMirror([root])).toBe(shallow);
    const deepRoot = mkdtempSync(join(tmpdir(), 'deep-'));
    fakeMirror(join(deepRoot, 'a', 'b', 'c', 'd', 'e'));
    expect(searchMirror([deepRoot], { maxDepth: 3 })).toBeUndefined();
  });

  it('finds executables on a PATH and lists what is missing', () => {
    const bin = mkdtempSync(join(tmpdir(), 'bin-'));
    writeFileSync(join(bin, 'terraform'), '#!/bin/sh\n');
    chmodSync(join(bin, 'terraform'), 0o755);
    writeFileSync(join(bin, 'moto_server'), 'not executable');
    expect(findOnPath('terraform', bin)).toBe(join(bin, 'terraform'));
    expect(findOnPath('moto_server', bin)).toBeUndefined();
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    const found = findPrerequisites({ PATH: bin, HOME: empty, TF_PROVIDER_MIRROR: empty });
    writeFileSync(join(bin, 'python3'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(bin, 'python3'), 0o755);
    expect(findMotoPython({ PATH: bin })).toBeUndefined();
    expect(found.terraform).toBe(join(bin, 'terraform'));
    expect(found.missing).toEqual([
      expect.stringMatching(/^TF_PROVIDER_MIRROR=/),
      'no Python with moto (set MOTO_PYTHON, or put a python3 that imports moto on the PATH)',
    ]);
  });
});

describe('running terraform', () => {
  it('installs from the mirror only and drops the caller’s AWS and TF settings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    const file = writeCliConfig(dir, '/some/mirror');
    const env = terraformEnv(file, {
      PATH: '/bin',
      AWS_PROFILE: 'prod',
      AWS_SECRET_ACCESS_KEY: 'real',
      TF_PLUGIN_CACHE_DIR: '/x',
    });
    expect(env).toMatchObject({
      PATH: '/bin',
      TF_CLI_CONFIG_FILE: file,
      CHECKPOINT_DISABLE: '1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      GOGC: '400',
    });
    expect(terraformEnv(file, { GOGC: '100' }).GOGC).toBe('100');
    expect(env.AWS_PROFILE).toBeUndefined();
    expect(env.TF_PLUGIN_CACHE_DIR).toBeUndefined();
  });

  it('keeps one endpoint key per aliased service', () => {
    const line = JSON.stringify({
      type: 'diagnostic',
      diagnostic: {
        summary: 'Invalid Attribute Combination',
        detail:
          'Only one of the following attributes should be set: "endpoints[0].kafka", "endpoints[0].msk"',
      },
    });
    const groups = endpointAliasGroups(`{"type":"version"}\n${line}\n`);
    expect(groups).toEqual([['kafka', 'msk']]);
    expect(withoutAliases(['ec2', 'kafka', 'msk', 's3'], groups)).toEqual(['ec2', 'kafka', 's3']);
  });
});

describe('leftover probes', () => {
  it('take the region from the provider alias', () => {
    const resource = {
      address: 'aws_sns_topic.t',
      type: 'aws_sns_topic',
      name: 't',
      provider: 'provider["registry.terraform.io/hashicorp/aws"].us_east_1',
      values: {},
    };
    expect(regionOf(resource, { us_east_1: 'us-east-1' }, 'eu-west-1')).toBe('us-east-1');
    expect(
      regionOf(
        { ...resource, provider: 'provider["registry.terraform.io/hashicorp/aws"]' },
        {},
        'eu-west-1',
      ),
    ).toBe('eu-west-1');
  });

  it('read "does not exist" answers as gone, and other errors as errors', () => {
    expect(isNotFound({ name: 'NoSuchEntityException' })).toBe(true);
    expect(isNotFound({ name: 'X', $metadata: { httpStatusCode: 404 } })).toBe(true);
    expect(isNotFound({ name: 'InvalidVpcID.NotFound' })).toBe(true);
    expect(isNotFound({ name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })).toBe(
      false,
    );
  });
});
