/**
 * The one declared list of what the AWS emulator (moto 5.2.1, with the APIs that
 * `moto_launcher.py` adds) cannot do for these stacks. What moto lacks is taught to it there
 * rather than listed here; what remains is listed with its reason. Each
 * entry is applied to the emulator copy only: a resource type or the resources reading one
 * attribute are left out, an attribute the emulator does not read back is ignored on re-plan, or a
 * policy statement the emulator mis-evaluates is dropped. Everything not listed here must apply;
 * a failure there is a project bug until shown otherwise.
 *
 * `__tests__/terraform/emulator-gaps.test.ts` fails when an entry matches nothing in any stack (so
 * the list cannot rot) and when the list leaves out more than MAX_EXCLUDED_SHARE of a stack.
 */

/** At most this share of any stack's resources may be left out; the rest must apply for real. */
export const MAX_EXCLUDED_SHARE = 0.15;

export type GapMatch =
  /** Leave out every resource of this type (and whatever references it). */
  | { readonly kind: 'resource-type'; readonly type: string }
  /**
   * Leave out every resource whose configuration reads this attribute of a resource of `type`
   * (`attribute` as written after the address, e.g. `vpc_config[0].cluster_security_group_id`).
   */
  | { readonly kind: 'reference'; readonly type: string; readonly attribute: string }
  /** Add these attributes to `lifecycle.ignore_changes` of every resource of this type. */
  | {
      readonly kind: 'ignore-changes';
      readonly type: string;
      readonly attributes: readonly string[];
    }
  /**
   * Drop the conditional `Deny` statements from the `aws_iam_policy_document` data sources that
   * feed a resource of `usedBy` (e.g. a bucket policy).
   */
  | { readonly kind: 'conditional-deny'; readonly usedBy: string }
  /**
   * The contract probe reads these outputs as plain strings instead of through the consumer's
   * function (e.g. `base64decode`), because the emulator fills the attribute with filler text.
   */
  | { readonly kind: 'filler-value'; readonly type: string; readonly attribute: string }
  /**
   * Applied, re-planned and checked like the rest, but removed from the state before `destroy`
   * and deleted through the SDK (`SDK_DELETERS` in leftovers.ts); the leftover check then proves
   * it gone. Only for a provider wait that does not fit the run's time budget.
   */
  | { readonly kind: 'delete-outside-terraform'; readonly type: string };

export interface EmulatorGap {
  readonly id: string;
  readonly match: GapMatch;
  /** What the emulator answers (or fails to answer). */
  readonly emulatorError: string;
  /** Why this is the emulator's gap and not a project bug. */
  readonly why: string;
}

export const EMULATOR_GAPS: readonly EmulatorGap[] = [
  {
    id: 'amp-scraper-delete-wait',
    match: { kind: 'delete-outside-terraform', type: 'aws_prometheus_scraper' },
    emulatorError:
      'none: DeleteScraper answers at once, but provider 5.100.0 waits a fixed 8 minutes ' +
      '(waitScraperDeleted: Delay 8m) before it first asks whether the scraper is gone',
    why:
      "The wait alone would exceed the run's 8-minute budget; the scraper is created, read back " +
      'and re-planned by Terraform, deleted through the SDK, and the leftover check proves it gone.',
  },
  {
    id: 's3-bucket-policy-conditional-deny',
    match: { kind: 'conditional-deny', usedBy: 'aws_s3_bucket_policy' },
    emulatorError:
      'moto evaluates bucket-policy conditions without the request context, so Deny statements ' +
      'on aws:SecureTransport, s3:TlsVersion or the SSE header deny every object request (403)',
    why:
      'The statements are right on AWS (the policy rules check them); in the emulator they would ' +
      'keep the S3 backend from reading and writing state in the bootstrap bucket.',
  },
];
