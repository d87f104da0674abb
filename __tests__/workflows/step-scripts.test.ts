import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsed, runStepScript, stepOf, type Step } from './workflow-files';

/*
 * Shell steps of the workflows that decide something, run for real with fake `aws`/`gh`
 * commands in their place: the release-tag promotion, the drift alert, the fork refusal.
 */

describe('release tag promotion (deploy.yml, image job)', () => {
  const promote = stepOf(
    parsed('deploy.yml').jobs.image,
    (s: Step) => s.if === "steps.tag.outputs.mode == 'promote'",
  );
  // A fake ECR: images/<tag> holds the manifest; digest = sha256 of the exact bytes.
  const FAKE_AWS = `
store="$PWD/images"; mkdir -p "$store"
echo "aws $*" >> "$PWD/aws.log"
arg() { local want="$1"; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { echo "$2"; return; }; shift; done; }
tag="$(arg --image-ids "$@")"; tag="\${tag#imageTag=}"
case "$2" in
  describe-images)
    [ -f "$store/$tag" ] || { echo "ImageNotFoundException" >&2; exit 254; }
    echo "sha256:$(sha256sum < "$store/$tag" | cut -d' ' -f1)" ;;
  batch-get-image)
    jq -n --rawfile m "$store/$tag" '{images: [{imageManifest: $m, imageManifestMediaType: "application/vnd.oci.image.index.v1+json"}]}' ;;
  put-image)
    new="$(arg --image-tag "$@")"; file="$(arg --image-manifest "$@")"; file="\${file#file://}"
    [ -f "$store/$new" ] && { echo "ImageTagAlreadyExistsException" >&2; exit 254; }
    cp "$file" "$store/$new" ;;
  *) exit 2 ;;
esac
`;
  const manifest = '{"schemaVersion":2,"manifests":[{"digest":"sha256:abc"}]}\n';
  const run = (images: Record<string, string>) =>
    runStepScript(promote.run as string, {
      fakes: { aws: FAKE_AWS },
      env: {
        ECR_REPOSITORY: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/hello/api',
        TAG: '1.2.3',
        SOURCE_TAG: 'a'.repeat(40),
      },
      files: Object.fromEntries(
        Object.entries(images).map(([tag, body]) => [`images/${tag}`, body]),
      ),
    });

  it('gives the release tag the very manifest of the commit image (same digest), building nothing', () => {
    const { status, output, dir } = run({ ['a'.repeat(40)]: manifest });
    expect(output).toContain('1.2.3 → sha256:');
    expect(status).toBe(0);
    expect(readFileSync(join(dir, 'images/1.2.3'), 'utf8')).toBe(manifest);
    const log = readFileSync(join(dir, 'aws.log'), 'utf8');
    expect(log).toContain('ecr put-image --repository-name hello/api --image-tag 1.2.3');
    // Only ECR calls: no docker, no build.
    expect(
      log
        .trim()
        .split('\n')
        .every((line) => line.startsWith('aws ecr ')),
    ).toBe(true);
  });

  it('is idempotent when the release tag already is that image, and refuses another image', () => {
    expect(run({ ['a'.repeat(40)]: manifest, '1.2.3': manifest }).status).toBe(0);
    const other = run({ ['a'.repeat(40)]: manifest, '1.2.3': '{"other":true}' });
    expect(other.status).toBe(1);
    expect(other.output).toMatch(/1\.2\.3 already names another image .*release a new version/);
  });

  it('refuses a release of a commit main never built', () => {
    const { status, output } = run({});
    expect(status).toBe(1);
    expect(output).toMatch(/does not exist: a release tag promotes the image main built/);
  });
});

describe('drift alert (drift.yml)', () => {
  const issue = parsed('drift.yml').jobs.drift?.steps?.at(-1) as Step;
  // drift-report.ts itself is tested in __tests__/scripts; here it reports drift (exit 2).
  const driftReport = 'echo "## Drift in prod"; exit 2';
  const gh = (failOn: string) => `
echo "gh $*" >> "$PWD/gh.log"
[ "$1 $2" = "${failOn}" ] && { echo "HTTP 403: Resource not accessible by integration" >&2; exit 1; }
[ "$1 $2" = "issue list" ] && { echo '[]'; exit 0; }
exit 0
`;
  const run = (failOn: string) =>
    runStepScript(issue.run as string, {
      fakes: { gh: gh(failOn), npx: driftReport },
      env: { ENVIRONMENT: 'prod', RUN_URL: 'https://github.com/acme/x/actions/runs/1' },
    });

  it('files the drift issue', () => {
    const { status, dir } = run('none none');
    expect(status).toBe(0);
    expect(readFileSync(join(dir, 'gh.log'), 'utf8')).toContain(
      'gh issue create --title Infrastructure drift: prod --label drift',
    );
  });

  it.each(['issue create', 'issue list'])(
    'fails the run when `gh %s` fails: the alert is never lost',
    (call) => {
      const { status, output } = run(call);
      expect(output).toContain('HTTP 403');
      expect(status).not.toBe(0);
    },
  );
});

describe('fork pull requests (plan.yml)', () => {
  it('fail the required check with the reason, in the log and the job summary', () => {
    const fork = parsed('plan.yml').jobs.plan?.steps?.[0] as Step;
    const { status, output, dir } = runStepScript(fork.run as string, {
      fakes: {},
      env: { HEAD_REPOSITORY: 'someone/hello-platform' },
    });
    expect(status).toBe(1);
    expect(output).toMatch(
      /::error::Not planned: pull requests from forks \(someone\/hello-platform\)/,
    );
    expect(readFileSync(join(dir, 'GITHUB_STEP_SUMMARY'), 'utf8')).toContain('Not planned');
  });
});
