// cdktf captures a stack trace for every token it creates; source-mapping them all (tsx turns
// source maps on) is a large share of synth time, and synth errors read fine without it.
process.setSourceMapsEnabled(false);

import { ProjectConfigError, configWarnings, loadConfig, selectEnvironments } from './config';
import { buildPlatformApp } from './stacks/app';

// Entry point of `cdktf synth` and `npm run synth:fast`, which run it as a cached bundle through
// scripts/synth-app.cjs (see cdktf.json and docs/synth.md); `npx tsx main.ts` runs it directly.
// Config problems are reported as a list of field paths and reasons, before any construct exists.
try {
  const config = loadConfig();
  // E.g. a Kubernetes version within 60 days of its end of standard support.
  for (const warning of configWarnings(config)) {
    console.warn(`Warning: ${warning.path.join('.')}: ${warning.message}`);
  }
  const environments = selectEnvironments(config, process.env.STACK_ENVS);
  buildPlatformApp({ config, environments }).app.synth();
} catch (error) {
  if (error instanceof ProjectConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
