import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { MODULE_DOMAINS } from '../../modules/domains';

/**
 * The documentation holds together: every relative link in README.md and docs/ points at a file
 * that exists (inside the repository), every `#anchor` at a heading of its target as GitHub slugs
 * it, docs/ has one page per module domain, and the docs index lists every page.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const DOCS = path.join(ROOT, 'docs');

function markdownFilesUnder(dir: string): string[] {
  return readdirSync(dir)
    .flatMap((name) => {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) return markdownFilesUnder(full);
      return name.endsWith('.md') ? [full] : [];
    })
    .sort();
}

interface ProseLine {
  /** 1-based line number. */
  readonly number: number;
  readonly raw: string;
  /** The line with inline code spans blanked out (links inside code are not links). */
  readonly withoutCode: string;
}

/** Lines outside fenced code blocks. */
function proseLines(text: string): ProseLine[] {
  const lines: ProseLine[] = [];
  let fence: string | undefined;
  text.split('\n').forEach((raw, index) => {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(raw)?.[1];
    if (fence) {
      if (marker && marker[0] === fence[0] && marker.length >= fence.length) fence = undefined;
      return;
    }
    if (marker) {
      fence = marker;
      return;
    }
    const withoutCode = raw.replace(/(`+)(.+?)\1/g, (span) => ' '.repeat(span.length));
    lines.push({ number: index + 1, raw, withoutCode });
  });
  return lines;
}

/**
 * GitHub's heading anchor: the rendered text, lower-cased, with every character that is not a
 * letter, digit, mark, space, `-` or `_` removed, and each space turned into `-`.
 */
function githubSlug(headingMarkdown: string): string {
  const rendered = headingMarkdown
    .split(/(`+[^`]*`+)/)
    .map((part, index) => {
      if (index % 2 === 1) return part.replace(/^`+|`+$/g, '');
      return part
        .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
        .replace(/<[^>]+>/g, '')
        .replace(/\*+/g, '')
        .replace(/(^|[^\p{L}\p{N}])_+|_+(?=[^\p{L}\p{N}]|$)/gu, '$1');
    })
    .join('');
  return rendered
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}_\- ]/gu, '')
    .replace(/ /g, '-');
}

/** Every anchor a page offers: heading slugs (duplicates numbered as GitHub does) and HTML ids. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(line.raw)?.[1];
    if (heading !== undefined) {
      const slug = githubSlug(heading);
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
    for (const match of line.withoutCode.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) {
      anchors.add(match[1]!);
    }
  }
  return anchors;
}

interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Inline links and images, reference definitions, and HTML `href`/`src` attributes. */
function linksOf(file: string, text: string): Link[] {
  const links: Link[] = [];
  for (const line of proseLines(text)) {
    const found = [
      ...[...line.withoutCode.matchAll(/\]\(\s*<?([^)\s>]*)>?(?:\s+"[^"]*")?\s*\)/g)].map(
        (match) => match[1]!,
      ),
      ...[...line.withoutCode.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g)].map(
        (match) => match[1]!,
      ),
      ...[...line.withoutCode.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)].map(
        (match) => match[1]!,
      ),
    ];
    for (const target of found) links.push({ file, line: line.number, target });
  }
  return links;
}

const isExternal = (target: string): boolean => /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(target);

/** How the check sees files: the disk, or (for the check's own test) a page held in memory. */
interface Files {
  readonly exists: (file: string) => boolean;
  readonly read: (file: string) => string;
}

const disk: Files = { exists: existsSync, read: (file) => readFileSync(file, 'utf8') };

/** What is wrong with each relative link, as `file:line target: reason`; empty when all hold. */
function brokenLinks(links: readonly Link[], files: Files): string[] {
  const anchorCache = new Map<string, Set<string>>();
  const anchorsIn = (file: string): Set<string> => {
    const cached = anchorCache.get(file);
    if (cached) return cached;
    const anchors = anchorsOf(files.read(file));
    anchorCache.set(file, anchors);
    return anchors;
  };
  const problems: string[] = [];
  for (const link of links) {
    const where = `${path.relative(ROOT, link.file)}:${link.line} ${link.target}`;
    const [pathPart = '', anchor] = link.target.split('#', 2) as [string, string | undefined];
    const decoded = decodeURIComponent(pathPart);
    const resolved = !decoded
      ? link.file
      : decoded.startsWith('/')
        ? path.join(ROOT, decoded)
        : path.resolve(path.dirname(link.file), decoded);
    if (resolved !== ROOT && !resolved.startsWith(ROOT + path.sep)) {
      problems.push(`${where}: leaves the repository`);
      continue;
    }
    if (!files.exists(resolved)) {
      problems.push(`${where}: ${path.relative(ROOT, resolved)} does not exist`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!resolved.endsWith('.md')) {
      if (!/^L\d+(-L\d+)?$/.test(anchor)) problems.push(`${where}: anchor on a non-Markdown file`);
      continue;
    }
    if (!anchorsIn(resolved).has(anchor)) {
      problems.push(`${where}: no heading #${anchor} in ${path.relative(ROOT, resolved)}`);
    }
  }
  return problems;
}

describe('GitHub heading anchors', () => {
  it.each([
    [
      '`ServiceLinkedRole` (`modules/account/service-linked-role.ts`)',
      'servicelinkedrole-modulesaccountservice-linked-rolets',
    ],
    ['10. Terraform Cloud (HCP Terraform)', '10-terraform-cloud-hcp-terraform'],
    ['Errors (RFC 9457, `application/problem+json`)', 'errors-rfc-9457-applicationproblemjson'],
    ['What `<env>-workloads` installs', 'what-env-workloads-installs'],
    ['`RdsPostgres` (`x.ts`) — only when `a = b`', 'rdspostgres-xts--only-when-a--b'],
    ['`snake_case` and _emphasis_ in a [link](x.md)', 'snake_case-and-emphasis-in-a-link'],
    ['Figures (2026-11-25, load ≈ 3.4)', 'figures-2026-11-25-load--34'],
  ])('%s → #%s', (heading, slug) => {
    expect(githubSlug(heading)).toBe(slug);
  });

  it('numbers repeated headings and skips headings inside code fences', () => {
    const anchors = anchorsOf('# A\n\n## Notes\n\n```md\n## Fenced\n```\n\n## Notes\n');
    expect([...anchors]).toEqual(['a', 'notes', 'notes-1']);
  });
});

describe('the link check', () => {
  it('reports a missing file, a missing anchor and a link out of the repository', () => {
    const page = path.join(DOCS, 'example.md');
    const text = [
      '# Example',
      '',
      '[ok](#example) [same dir](api.md) [gone](nowhere.md) [bad anchor](#nothing-here)',
      '[out](../../elsewhere.md) `[in code](nowhere.md)` [web](https://example.com/x.md)',
      '',
      '```',
      '[fenced](nowhere.md)',
      '```',
    ].join('\n');
    const links = linksOf(page, text);
    expect(links.map((link) => link.target)).toEqual([
      '#example',
      'api.md',
      'nowhere.md',
      '#nothing-here',
      '../../elsewhere.md',
      'https://example.com/x.md',
    ]);
    const problems = brokenLinks(
      links.filter((link) => !isExternal(link.target)),
      {
        exists: (file) => file === page || disk.exists(file),
        read: (file) => (file === page ? text : disk.read(file)),
      },
    );
    expect(problems).toEqual([
      'docs/example.md:3 nowhere.md: docs/nowhere.md does not exist',
      'docs/example.md:3 #nothing-here: no heading #nothing-here in docs/example.md',
      'docs/example.md:4 ../../elsewhere.md: leaves the repository',
    ]);
  });
});

describe('README.md and docs/', () => {
  const pages = [path.join(ROOT, 'README.md'), ...markdownFilesUnder(DOCS)];
  const links = pages.flatMap((file) => linksOf(file, disk.read(file)));
  const relative = links.filter((link) => !isExternal(link.target));

  it('every relative link points at an existing file, and every anchor at a heading there', () => {
    expect(pages.length).toBeGreaterThan(10);
    expect(relative.length).toBeGreaterThan(50);
    expect(relative.some((link) => link.target.includes('#'))).toBe(true);
    expect(brokenLinks(relative, disk)).toEqual([]);
  });

  it('has one page per module domain under docs/modules/, and no other', () => {
    expect(MODULE_DOMAINS.length).toBeGreaterThan(0);
    const expected = MODULE_DOMAINS.map((domain) => path.join(DOCS, 'modules', `${domain}.md`));
    for (const file of expected) expect(existsSync(file), path.relative(ROOT, file)).toBe(true);
    expect(markdownFilesUnder(path.join(DOCS, 'modules'))).toEqual([...expected].sort());
  });

  it('lists every docs page in the index, docs/README.md', () => {
    const index = path.join(DOCS, 'README.md');
    const listed = new Set(
      linksOf(index, disk.read(index))
        .filter((link) => !isExternal(link.target))
        .map((link) => path.resolve(DOCS, link.target.split('#')[0]!)),
    );
    const others = markdownFilesUnder(DOCS).filter((file) => file !== index);
    expect(others.length).toBeGreaterThan(10);
    expect(
      others.filter((file) => !listed.has(file)).map((file) => path.relative(ROOT, file)),
    ).toEqual([]);
  });
});
