/**
 * Which value paths a Helm chart's templates read, found by abstractly interpreting the Go
 * templates: every `.Values.<path>` (also through `$`, variables, `with`, `range`, `index`, `dig`,
 * `hasKey`, `default`, and through `include`/`template` of a helper called with `.` or a `dict`),
 * and which of them are consumed whole (`toYaml`, `toJson`, `tpl`, `merge`, or printed), so every
 * key below them counts as read.
 *
 * It is deliberately small: it models what the four reference charts use, follows every branch
 * (both sides of an `if`), and treats anything it does not model as reading nothing, so an
 * unknown construct can only make a check stricter, never hide an unread key.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** A path read by a template; `*` stands for any map key or list index. */
export interface ValueRead {
  readonly path: readonly string[];
  /** The whole subtree is consumed (rendered as YAML/JSON, passed to `tpl`, merged...). */
  readonly whole: boolean;
}

type Abstract =
  | { readonly kind: 'root' }
  | { readonly kind: 'values'; readonly path: readonly string[] }
  | { readonly kind: 'dict'; readonly entries: ReadonlyMap<string, Abstract> }
  | { readonly kind: 'other' };

const OTHER: Abstract = { kind: 'other' };
const ROOT: Abstract = { kind: 'root' };

type Token =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'num' | 'ident' | 'field' | 'var' | 'punct'; readonly v: string };

/** Functions whose (value) arguments are consumed whole. */
const WHOLE = new Set([
  'toYaml',
  'toJson',
  'toPrettyJson',
  'toRawJson',
  'mustToJson',
  'mustToPrettyJson',
  'mustToRawJson',
  'tpl',
  'merge',
  'mustMerge',
  'mergeOverwrite',
  'mustMergeOverwrite',
  'deepCopy',
  'mustDeepCopy',
  'list',
  'append',
  'mustAppend',
  'concat',
  'omit',
  'pick',
  'toString',
  'values',
  'print',
  'println',
  'printf',
]);

// ---------------------------------------------------------------------------------------------
// Lexing: text → actions (the `{{ ... }}` contents), comments dropped.

function actionsOf(text: string): string[] {
  const actions: string[] = [];
  let index = 0;
  for (;;) {
    const open = text.indexOf('{{', index);
    if (open < 0) return actions;
    let cursor = open + 2;
    if (text[cursor] === '-' && /\s/.test(text[cursor + 1] ?? '')) cursor += 1;
    const rest = text.slice(cursor).trimStart();
    if (rest.startsWith('/*')) {
      const close = text.indexOf('*/', cursor);
      const end = text.indexOf('}}', close);
      index = end + 2;
      continue;
    }
    let quote: string | undefined;
    let end = cursor;
    for (; end < text.length; end += 1) {
      const char = text[end];
      if (quote) {
        if (char === '\\' && quote === '"') end += 1;
        else if (char === quote) quote = undefined;
      } else if (char === '"' || char === '`') {
        quote = char;
      } else if (char === '}' && text[end + 1] === '}') {
        break;
      }
    }
    let body = text.slice(cursor, end);
    if (/\s-$/.test(body)) body = body.slice(0, -1);
    actions.push(body.trim());
    index = end + 2;
  }
}

function tokenize(action: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < action.length) {
    const char = action[index] as string;
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === '"') {
      let end = index + 1;
      let value = '';
      while (end < action.length && action[end] !== '"') {
        if (action[end] === '\\') end += 1;
        value += action[end];
        end += 1;
      }
      tokens.push({ t: 'str', v: value });
      index = end + 1;
    } else if (char === '`') {
      const end = action.indexOf('`', index + 1);
      tokens.push({ t: 'str', v: action.slice(index + 1, end) });
      index = end + 1;
    } else if (char === "'") {
      const end = action.indexOf("'", index + 1);
      tokens.push({ t: 'num', v: action.slice(index + 1, end) });
      index = end + 1;
    } else if (action.startsWith(':=', index)) {
      tokens.push({ t: 'punct', v: ':=' });
      index += 2;
    } else if ('()|,='.includes(char)) {
      tokens.push({ t: 'punct', v: char });
      index += 1;
    } else if (char === '.' && !/[A-Za-z_]/.test(action[index + 1] ?? '')) {
      tokens.push({ t: 'field', v: '.' });
      index += 1;
    } else {
      const match =
        /^(\$[A-Za-z0-9_]*|\.?[A-Za-z_][A-Za-z0-9_]*|-?[0-9][0-9.eE+-]*)((\.[A-Za-z_][A-Za-z0-9_]*)*)/.exec(
          action.slice(index),
        );
      if (!match) {
        index += 1;
        continue;
      }
      const [whole, head = ''] = match;
      if (head.startsWith('$')) tokens.push({ t: 'var', v: whole });
      else if (head.startsWith('.')) tokens.push({ t: 'field', v: whole });
      else if (/^-?[0-9]/.test(head)) tokens.push({ t: 'num', v: whole });
      else if (whole.includes('.')) tokens.push({ t: 'ident', v: whole });
      else tokens.push({ t: 'ident', v: whole });
      index += whole.length;
    }
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------
// Parsing a pipeline into nested commands.

type Operand =
  | { readonly k: 'token'; readonly token: Token }
  | { readonly k: 'paren'; readonly pipeline: Pipeline; readonly fields: readonly string[] };
type Command = readonly Operand[];
type Pipeline = readonly Command[];

function parsePipeline(tokens: readonly Token[], start = 0): [Pipeline, number] {
  const commands: Operand[][] = [[]];
  let index = start;
  while (index < tokens.length) {
    const token = tokens[index] as Token;
    if (token.t === 'punct' && token.v === ')') break;
    if (token.t === 'punct' && token.v === '|') {
      commands.push([]);
      index += 1;
      continue;
    }
    const current = commands[commands.length - 1] as Operand[];
    if (token.t === 'punct' && token.v === '(') {
      const [inner, end] = parsePipeline(tokens, index + 1);
      index = end + 1;
      // `(expr).field.chain` directly after the parenthesis.
      const next = tokens[index];
      const fields = next && next.t === 'field' && next.v !== '.' ? next.v.slice(1).split('.') : [];
      if (fields.length > 0) index += 1;
      current.push({ k: 'paren', pipeline: inner, fields });
      continue;
    }
    current.push({ k: 'token', token });
    index += 1;
  }
  return [commands.filter((command) => command.length > 0), index];
}

// ---------------------------------------------------------------------------------------------
// Interpretation.

interface Frame {
  readonly dot: Abstract;
  readonly vars: Map<string, Abstract>;
}

interface Definition {
  readonly file: string;
  readonly actions: readonly string[];
}

function access(value: Abstract, fields: readonly string[]): Abstract {
  let current = value;
  for (const field of fields) {
    if (current.kind === 'root')
      current = field === 'Values' ? { kind: 'values', path: [] } : OTHER;
    else if (current.kind === 'values')
      current = { kind: 'values', path: [...current.path, field] };
    else if (current.kind === 'dict') current = current.entries.get(field) ?? OTHER;
    else return OTHER;
  }
  return current;
}

function signature(value: Abstract): string {
  switch (value.kind) {
    case 'values':
      return `v:${value.path.join('.')}`;
    case 'dict':
      return `d{${[...value.entries].map(([key, entry]) => `${key}=${signature(entry)}`).join(',')}}`;
    default:
      return value.kind;
  }
}

/** Block keywords that open a scope closed by `end`. */
const OPENERS = new Set(['if', 'with', 'range', 'define', 'block']);

class Interpreter {
  private readonly reads = new Map<string, ValueRead>();
  private readonly visited = new Set<string>();

  constructor(private readonly definitions: ReadonlyMap<string, Definition>) {}

  result(): ValueRead[] {
    return [...this.reads.values()];
  }

  private record(path: readonly string[], whole: boolean) {
    const key = `${path.join('.')}|${whole}`;
    if (!this.reads.has(key)) this.reads.set(key, { path, whole });
  }

  private used(value: Abstract, whole: boolean) {
    if (value.kind === 'values') this.record(value.path, whole);
    if (value.kind === 'dict' && whole) {
      for (const entry of value.entries.values()) this.used(entry, true);
    }
  }

  /** Runs a list of actions (a template file or a helper body) with `.` and `$` set to `dot`. */
  run(actions: readonly string[], dot: Abstract) {
    const stack: { frame: Frame; keyword: string; outer: Abstract }[] = [];
    let frame: Frame = { dot, vars: new Map([['$', dot]]) };
    const lookup = (name: string): Abstract => {
      if (frame.vars.has(name)) return frame.vars.get(name) as Abstract;
      for (let i = stack.length - 1; i >= 0; i -= 1) {
        const vars = (stack[i] as { frame: Frame }).frame.vars;
        if (vars.has(name)) return vars.get(name) as Abstract;
      }
      return OTHER;
    };
    const evaluate = (tokens: readonly Token[]): Abstract => {
      const [pipeline] = parsePipeline(tokens);
      return this.pipeline(pipeline, frame.dot, lookup);
    };
    const open = (keyword: string, newDot: Abstract, outer: Abstract) => {
      stack.push({ frame, keyword, outer });
      frame = { dot: newDot, vars: new Map() };
    };

    for (let index = 0; index < actions.length; index += 1) {
      const tokens = tokenize(actions[index] as string);
      const first = tokens[0];
      if (!first) continue;
      const word = first.t === 'ident' ? first.v : '';
      if (word === 'define') {
        // Skip the body: helpers run when something includes them.
        let depth = 1;
        while (depth > 0 && index + 1 < actions.length) {
          index += 1;
          const head = tokenize(actions[index] as string)[0];
          if (head?.t === 'ident' && OPENERS.has(head.v)) depth += 1;
          if (head?.t === 'ident' && head.v === 'end') depth -= 1;
        }
        continue;
      }
      if (word === 'end') {
        const closed = stack.pop();
        if (closed) frame = closed.frame;
        continue;
      }
      if (word === 'else') {
        const top = stack[stack.length - 1];
        const outer = top?.outer ?? frame.dot;
        const keyword = tokens[1]?.t === 'ident' ? tokens[1].v : '';
        frame = { dot: outer, vars: new Map() };
        if (keyword === 'if') evaluate(tokens.slice(2));
        if (keyword === 'with') frame = { dot: evaluate(tokens.slice(2)), vars: new Map() };
        continue;
      }
      if (word === 'if') {
        evaluate(tokens.slice(1));
        open('if', frame.dot, frame.dot);
        continue;
      }
      if (word === 'with') {
        const value = evaluate(tokens.slice(1));
        this.used(value, false);
        open('with', value, frame.dot);
        continue;
      }
      if (word === 'range') {
        const assign = tokens.findIndex((token) => token.t === 'punct' && token.v === ':=');
        const source = evaluate(tokens.slice(assign >= 0 ? assign + 1 : 1));
        this.used(source, false);
        const element: Abstract =
          source.kind === 'values' ? { kind: 'values', path: [...source.path, '*'] } : OTHER;
        const outer = frame.dot;
        open('range', element, outer);
        if (assign >= 0) {
          const names = tokens.slice(1, assign).filter((token) => token.t === 'var');
          if (names.length === 1) frame.vars.set((names[0] as Token).v, element);
          if (names.length === 2) {
            frame.vars.set((names[0] as Token).v, OTHER);
            frame.vars.set((names[1] as Token).v, element);
          }
        }
        continue;
      }
      if (word === 'block') {
        const name = tokens[1]?.t === 'str' ? tokens[1].v : '';
        this.call(name, evaluate(tokens.slice(2)));
        // Its inline body is the default definition: run it like the helper.
        open('block', frame.dot, frame.dot);
        continue;
      }
      if (word === 'template') {
        const name = tokens[1]?.t === 'str' ? tokens[1].v : '';
        this.call(name, tokens.length > 2 ? evaluate(tokens.slice(2)) : OTHER);
        continue;
      }
      if (word === 'break' || word === 'continue') continue;
      // `$x := pipeline`, `$x = pipeline`, or output.
      if (
        first.t === 'var' &&
        tokens[1]?.t === 'punct' &&
        (tokens[1].v === ':=' || tokens[1].v === '=')
      ) {
        const value = evaluate(tokens.slice(2));
        if (tokens[1].v === ':=') frame.vars.set(first.v, value);
        else {
          const owner = [frame, ...stack.map((entry) => entry.frame).reverse()].find((candidate) =>
            candidate.vars.has(first.v),
          );
          (owner ?? frame).vars.set(first.v, value);
        }
        continue;
      }
      // Printed: a map printed whole is consumed whole.
      this.used(evaluate(tokens), true);
    }
  }

  private call(name: string, argument: Abstract) {
    const definition = this.definitions.get(name);
    if (!definition) {
      this.used(argument, true);
      return;
    }
    const key = `${name}|${signature(argument)}`;
    if (this.visited.has(key)) return;
    this.visited.add(key);
    this.run(definition.actions, argument);
  }

  private pipeline(
    pipeline: Pipeline,
    dot: Abstract,
    lookup: (name: string) => Abstract,
  ): Abstract {
    let previous: Abstract | undefined;
    for (const command of pipeline) {
      previous = this.command(command, previous, dot, lookup);
    }
    return previous ?? OTHER;
  }

  private operand(operand: Operand, dot: Abstract, lookup: (name: string) => Abstract): Abstract {
    if (operand.k === 'paren') {
      const inner = this.pipeline(operand.pipeline, dot, lookup);
      const value = access(inner, operand.fields);
      this.used(value, false);
      return value;
    }
    const { token } = operand;
    if (token.t === 'field') {
      const value = token.v === '.' ? dot : access(dot, token.v.slice(1).split('.'));
      this.used(value, false);
      return value;
    }
    if (token.t === 'var') {
      const [name = '', ...fields] = token.v.split('.');
      const value = access(lookup(name), fields);
      this.used(value, false);
      return value;
    }
    return OTHER;
  }

  private command(
    command: Command,
    piped: Abstract | undefined,
    dot: Abstract,
    lookup: (name: string) => Abstract,
  ): Abstract {
    const [head, ...rest] = command;
    if (!head) return piped ?? OTHER;
    if (head.k !== 'token' || head.token.t !== 'ident') {
      // A plain operand (`.Values.x`, `$v`, `(…)`): extra operands are a syntax error in Go.
      return this.operand(head, dot, lookup);
    }
    const name = head.token.v;
    const literal = (operand: Operand | undefined) =>
      operand?.k === 'token' && operand.token.t === 'str' ? operand.token.v : undefined;
    const args = rest.map((operand) => this.operand(operand, dot, lookup));
    if (piped) args.push(piped);
    const firstValues = args.find((arg) => arg.kind === 'values' || arg.kind === 'dict');

    switch (name) {
      case 'include':
      case 'template': {
        this.call(literal(rest[0]) ?? '', args[1] ?? OTHER);
        return OTHER;
      }
      case 'dict': {
        const entries = new Map<string, Abstract>();
        for (let i = 0; i + 1 < rest.length; i += 2) {
          entries.set(literal(rest[i]) ?? '*', args[i + 1] ?? OTHER);
        }
        return { kind: 'dict', entries };
      }
      case 'index':
      case 'get': {
        const [target = OTHER] = args;
        const keys = rest.slice(1).map((operand) => literal(operand) ?? '*');
        const value = access(target, keys);
        this.used(value, false);
        return value;
      }
      case 'hasKey': {
        const [target = OTHER] = args;
        this.used(access(target, [literal(rest[1]) ?? '*']), false);
        return OTHER;
      }
      case 'dig': {
        const target = args[args.length - 1] ?? OTHER;
        const keys = rest.slice(0, -2).map((operand) => literal(operand) ?? '*');
        const value = access(target, keys);
        this.used(value, false);
        return value;
      }
      case 'pluck': {
        const key = literal(rest[0]) ?? '*';
        for (const arg of args.slice(1)) this.used(access(arg, [key]), false);
        return OTHER;
      }
      case 'first':
      case 'last':
      case 'mustFirst':
      case 'mustLast': {
        const value = access(args[0] ?? OTHER, ['*']);
        this.used(value, false);
        return value;
      }
      case 'default':
      case 'required':
      case 'coalesce':
      case 'and':
      case 'or':
      case 'ternary':
        return args[args.length - 1]?.kind === 'values'
          ? (args[args.length - 1] as Abstract)
          : (firstValues ?? OTHER);
      default:
        if (WHOLE.has(name)) {
          for (const arg of args) this.used(arg, true);
        }
        return OTHER;
    }
  }
}

function templateFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return templateFiles(file);
    return /\.(yaml|yml|tpl|txt|json)$/.test(name) ? [file] : [];
  });
}

/**
 * The value paths a chart's templates read. `NOTES.txt` (printed after install, configures
 * nothing) and `tests/` (Helm test hooks, run only by `helm test`) are left out.
 */
export function templateReads(templatesDir: string): ValueRead[] {
  const files = templateFiles(templatesDir).filter((file) => {
    const relative = path.relative(templatesDir, file);
    return relative !== 'NOTES.txt' && !relative.startsWith(`tests${path.sep}`);
  });
  const definitions = new Map<string, Definition>();
  const bodies: { file: string; actions: string[] }[] = [];
  for (const file of files) {
    const actions = actionsOf(readFileSync(file, 'utf8'));
    bodies.push({ file, actions });
    for (let index = 0; index < actions.length; index += 1) {
      const tokens = tokenize(actions[index] as string);
      if (tokens[0]?.t !== 'ident' || !['define', 'block'].includes(tokens[0].v)) continue;
      const name = tokens[1]?.t === 'str' ? tokens[1].v : '';
      let depth = 1;
      let end = index;
      while (depth > 0 && end + 1 < actions.length) {
        end += 1;
        const head = tokenize(actions[end] as string)[0];
        if (head?.t === 'ident' && OPENERS.has(head.v)) depth += 1;
        if (head?.t === 'ident' && head.v === 'end') depth -= 1;
      }
      definitions.set(name, { file, actions: actions.slice(index + 1, end) });
    }
  }
  const interpreter = new Interpreter(definitions);
  for (const body of bodies) interpreter.run(body.actions, ROOT);
  return interpreter.result();
}

// ---------------------------------------------------------------------------------------------
// Emitted paths and the verdict.

/** Leaf paths of a values document; list items of maps are descended into by index. */
export function emittedPaths(values: unknown, prefix: readonly string[] = []): string[][] {
  if (Array.isArray(values)) {
    if (!values.some((item) => typeof item === 'object' && item !== null)) return [[...prefix]];
    return values.flatMap((item, index) => emittedPaths(item, [...prefix, String(index)]));
  }
  if (typeof values === 'object' && values !== null) {
    const entries = Object.entries(values);
    if (entries.length === 0) return [[...prefix]];
    return entries.flatMap(([key, value]) => emittedPaths(value, [...prefix, key]));
  }
  return [[...prefix]];
}

const segmentMatches = (pattern: string, segment: string) => pattern === '*' || pattern === segment;

/** True when some template reads the path itself, or consumes a parent of it whole. */
export function isRead(emitted: readonly string[], reads: readonly ValueRead[]): boolean {
  return reads.some(
    (read) =>
      (read.whole ? read.path.length <= emitted.length : read.path.length === emitted.length) &&
      read.path.every((segment, index) => segmentMatches(segment, emitted[index] as string)),
  );
}

type Schema = Record<string, unknown>;

/**
 * True when the schema names every segment of the path (`properties`, `patternProperties`, a
 * typed `additionalProperties`, `items` for list indices; through `allOf`/`anyOf`/`oneOf` and
 * local `$ref`s). A free-form `type: object` declares no child keys.
 */
export function isDeclared(emitted: readonly string[], schema: unknown, root = schema): boolean {
  const node = resolve(schema, root);
  if (emitted.length === 0) return node !== undefined;
  if (typeof node !== 'object' || node === null) return false;
  const [segment = '', ...rest] = emitted;
  const record = node as Schema;
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((key) =>
    Array.isArray(record[key]) ? (record[key] as unknown[]) : [],
  );
  if (branches.some((branch) => isDeclared(emitted, branch, root))) return true;
  const properties = record.properties as Schema | undefined;
  if (properties && segment in properties) return isDeclared(rest, properties[segment], root);
  const patterns = record.patternProperties as Schema | undefined;
  for (const [pattern, child] of Object.entries(patterns ?? {})) {
    if (new RegExp(pattern).test(segment)) return isDeclared(rest, child, root);
  }
  if (/^\d+$/.test(segment) && typeof record.items === 'object' && record.items !== null) {
    return isDeclared(rest, record.items, root);
  }
  const additional = record.additionalProperties;
  if (typeof additional === 'object' && additional !== null && Object.keys(additional).length > 0) {
    return isDeclared(rest, additional, root);
  }
  return false;
}

function resolve(schema: unknown, root: unknown): unknown {
  let node = schema;
  for (let hops = 0; hops < 10; hops += 1) {
    const ref = (node as Schema | undefined)?.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
    node = ref
      .slice(2)
      .split('/')
      .reduce<unknown>((current, key) => (current as Schema | undefined)?.[key], root);
  }
  return node;
}

export interface ValuesVerdict {
  /** Every emitted leaf path, `a.b.0.c`. */
  readonly checked: string[];
  /** Read by a template. */
  readonly read: string[];
  /** Not read by any template, but declared in the schema. */
  readonly declaredOnly: string[];
  /** Neither read nor declared: the chart silently ignores these. */
  readonly unread: string[];
}

/** Checks every emitted path of a values document against the templates' reads and the schema. */
export function checkValues(
  values: unknown,
  reads: readonly ValueRead[],
  schema: unknown,
): ValuesVerdict {
  const checked = emittedPaths(values).filter((emitted) => emitted.length > 0);
  const verdict: ValuesVerdict = { checked: [], read: [], declaredOnly: [], unread: [] };
  for (const emitted of checked) {
    const name = emitted.join('.');
    verdict.checked.push(name);
    if (isRead(emitted, reads)) verdict.read.push(name);
    else if (isDeclared(emitted, schema)) verdict.declaredOnly.push(name);
    else verdict.unread.push(name);
  }
  return verdict;
}
