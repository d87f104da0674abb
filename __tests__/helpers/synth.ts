import { Testing, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { stackContext } from '../../policy/engine';
import type { StackContext, TerraformJson } from '../../policy/types';

/**
 * Synthesizes the constructs that `build` adds to a fresh test stack and returns both the raw
 * JSON string (for cdktf's matchers) and the parsed document.
 */
export function synthConstructs(build: (scope: Construct) => void): {
  synthesized: string;
  json: TerraformJson;
} {
  const synthesized = Testing.synthScope((scope) => build(scope));
  return { synthesized, json: JSON.parse(synthesized) as TerraformJson };
}

/** Same as synthConstructs, wrapped as a policy StackContext for the given environment. */
export function synthContext(
  build: (scope: Construct) => void,
  environment = 'prod',
): StackContext {
  return stackContext(`${environment}-test`, environment, synthConstructs(build).json);
}

/** Synthesizes a whole stack (providers, backend, outputs included). */
export function synthStack(stack: TerraformStack): TerraformJson {
  return JSON.parse(Testing.synth(stack)) as TerraformJson;
}

/** All resources of one type in a synthesized document, by logical name. */
export function resourcesOf(
  json: TerraformJson,
  type: string,
): Record<string, Record<string, unknown>> {
  return json.resource?.[type] ?? {};
}

/** The only resource of a type; fails the test when there is not exactly one. */
export function onlyResource(json: TerraformJson, type: string): Record<string, unknown> {
  const all = Object.values(resourcesOf(json, type));
  if (all.length !== 1) throw new Error(`expected exactly one ${type}, found ${all.length}`);
  return all[0] as Record<string, unknown>;
}
