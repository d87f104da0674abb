/**
 * Credentials from an AWS Secrets Manager secret holding `{"username": ..., "password": ...}` (the
 * shape of an RDS-managed master user secret). The AWS SDK is loaded only when this is used.
 */
import { z } from 'zod';
import { cachedCredentials, type CredentialSource } from './credentials';

export interface SecretsManagerSettings {
  /** Secret ARN (or name). */
  secretId: string;
  /** Defaults to the SDK's region chain (AWS_REGION, profile, IMDS). */
  region?: string;
  /** Endpoint override (AWS_ENDPOINT_URL_SECRETS_MANAGER): VPC endpoints, local fakes in tests. */
  endpoint?: string;
}

const SecretShape = z.object({ username: z.string().min(1), password: z.string().min(1) });

export function secretsManagerCredentials(settings: SecretsManagerSettings): CredentialSource {
  let client: Promise<import('@aws-sdk/client-secrets-manager').SecretsManagerClient> | undefined;
  return cachedCredentials(async () => {
    const sdk = await import('@aws-sdk/client-secrets-manager');
    client ??= Promise.resolve(
      new sdk.SecretsManagerClient({
        ...(settings.region ? { region: settings.region } : {}),
        ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
      }),
    );
    const response = await (
      await client
    ).send(new sdk.GetSecretValueCommand({ SecretId: settings.secretId }));
    let parsed: unknown;
    try {
      parsed = JSON.parse(response.SecretString ?? '');
    } catch {
      parsed = undefined;
    }
    const secret = SecretShape.safeParse(parsed);
    // Never include the secret's content in the message.
    if (!secret.success) {
      throw new Error(
        `Secret ${settings.secretId} must be a JSON string with "username" and "password"`,
      );
    }
    return { user: secret.data.username, password: secret.data.password };
  });
}
