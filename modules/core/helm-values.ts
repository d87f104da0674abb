/**
 * Encodes a Helm values object for `helm_release.values`.
 *
 * JSON is valid YAML, so Helm reads it as a values file. Terraform references created by cdktf
 * (e.g. `${var.image_tag}`, an infra output) are string tokens; inside the JSON text they become
 * `${...}` interpolations that Terraform resolves at plan time, so the release always sees the
 * real value while the synthesized JSON stays readable and parseable by the policy rules.
 *
 * Only string tokens are safe here: a cdktf number token would be printed as its placeholder
 * number. Callers pass ports and counts from other stacks as strings (or as literal numbers).
 */
export function helmValues(values: object): string {
  return JSON.stringify(values, null, 2);
}
