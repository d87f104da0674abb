import { App } from 'cdktf';
import type { EnvironmentConfig, ProjectConfig } from '../config';
import type { BackendContext } from './backend';
import { BootstrapStack } from './bootstrap-stack';
import { InfraStack } from './infra-stack';
import { stackNames } from './names';
import { cloudWorkspaceGroups, TfcStack } from './tfc-stack';
import { WorkloadsStack } from './workloads-stack';

export interface PlatformAppProps {
  readonly config: ProjectConfig;
  /** The environments to synthesize (see `selectEnvironments`). */
  readonly environments: readonly EnvironmentConfig[];
  /** Output directory. Default: cdktf's (`cdktf.out`, or what the CLI passes in). */
  readonly outdir?: string;
}

export interface PlatformApp {
  readonly app: App;
  readonly bootstrap: BootstrapStack;
  readonly infra: ReadonlyMap<string, InfraStack>;
}

/**
 * Builds the cdktf App: the per-account bootstrap stack, then `<env>-infra` and `<env>-workloads`
 * for each selected environment. Config must already be validated (`loadConfig`).
 */
export function buildPlatformApp(props: PlatformAppProps): PlatformApp {
  // Validation is skipped because cdktf's CloudBackend check shells out to `terraform version`,
  // and synth must work without a terraform binary. What those validations caught is covered by
  // the reference check and policy tests over the synthesized JSON.
  const app = new App({ outdir: props.outdir, skipValidation: true });
  const { config } = props;
  const backendContext: BackendContext = {
    projectName: config.name,
    stateBucketName: config.bootstrap.stateBucketName,
    stateBucketRegion: config.bootstrap.region,
  };

  const bootstrap = new BootstrapStack(app, stackNames.bootstrap, { config, backendContext });
  // Workspaces must exist before the first plan of a cloud-backend stack.
  const groups = cloudWorkspaceGroups(config, props.environments);
  const tfc =
    groups.length > 0
      ? new TfcStack(app, stackNames.tfc, { config, groups, backendContext })
      : undefined;

  const infra = new Map<string, InfraStack>();
  for (const env of props.environments) {
    const envInfra = new InfraStack(app, stackNames.infra(env), { config, env, backendContext });
    infra.set(env.name, envInfra);
    if (tfc && env.backend.type === 'cloud') envInfra.addDependency(tfc);
    new WorkloadsStack(app, stackNames.workloads(env), {
      config,
      env,
      backendContext,
      infra: envInfra,
    });
  }
  return { app, bootstrap, infra };
}
