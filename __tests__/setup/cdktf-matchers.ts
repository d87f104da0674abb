import type {} from 'vitest';
import { Testing } from 'cdktf';

// Registers cdktf's matchers (toHaveResourceWithProperties, ...) on vitest's global expect.
// They compare against the synthesized, snake_case Terraform JSON.
Testing.setupJest();

type TerraformConstructor = { readonly tfResourceType: string };

declare module 'vitest' {
  interface Assertion<T> {
    toHaveResource(resource: TerraformConstructor): T;
    toHaveResourceWithProperties(
      resource: TerraformConstructor,
      properties: Record<string, unknown>,
    ): T;
    toHaveDataSource(dataSource: TerraformConstructor): T;
    toHaveDataSourceWithProperties(
      dataSource: TerraformConstructor,
      properties: Record<string, unknown>,
    ): T;
    toHaveProvider(provider: TerraformConstructor): T;
    toHaveProviderWithProperties(
      provider: TerraformConstructor,
      properties: Record<string, unknown>,
    ): T;
  }
}
