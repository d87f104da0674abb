import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  checkValues,
  emittedPaths,
  isDeclared,
  templateReads,
} from '../helpers/helm-template-reads';

/** A throw-away chart `templates/` directory with the given files. */
function templates(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'chart-templates-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const unread = (dir: string, values: unknown, schema: unknown = {}) =>
  checkValues(values, templateReads(dir), schema).unread;

describe('the Go-template reader behind the Helm values check', () => {
  it('reads direct paths, `$` paths and paths through variables, but not their siblings', () => {
    const dir = templates({
      'a.yaml': [
        'replicas: {{ .Values.replicaCount }}',
        '{{- $svc := .Values.service }}',
        'port: {{ $svc.port }}',
        '{{- define "x.helper" }}{{ $.Values.name }}{{ end }}',
      ].join('\n'),
    });
    expect(
      unread(dir, { replicaCount: 2, service: { port: 80, prot: 'TCP' }, name: 'n', other: 1 }),
    ).toEqual(['service.prot', 'name', 'other']);
  });

  it('counts everything under a map consumed whole by toYaml, `with` + toYaml, tpl or merge', () => {
    const dir = templates({
      'a.yaml': [
        'resources: {{ toYaml .Values.resources | nindent 2 }}',
        '{{- with .Values.affinity }}affinity: {{ toYaml . }}{{ end }}',
        '{{ tpl (.Values.extraEnv | toYaml) . }}',
        '{{ if .Values.probe }}probe: {{ .Values.probe.path }}{{ end }}',
      ].join('\n'),
    });
    expect(
      unread(dir, {
        resources: { limits: { cpu: '1' } },
        affinity: { nodeAffinity: { x: 1 } },
        extraEnv: [{ name: 'A', value: 'b' }],
        probe: { path: '/', port: 80 },
      }),
    ).toEqual(['probe.port']);
  });

  it('follows range over maps and lists, index/hasKey/dig, and helpers called with a dict', () => {
    const dir = templates({
      '_helpers.tpl': [
        '{{- define "x.store" -}}',
        'bucket: {{ .scope.s3.bucket }}',
        '{{- if hasKey .scope "path" }}path: {{ .scope.path }}{{ end }}',
        '{{- end -}}',
        '{{- define "x.render" -}}{{- $value := .value -}}{{ tpl ($value | toYaml) .context }}{{- end -}}',
      ].join('\n'),
      'a.yaml': [
        '{{- range $key, $value := .Values.env }}- name: {{ $key }}',
        '  value: {{ $value.value }}{{ end }}',
        '{{- range .Values.ports }}- {{ .containerPort }}{{ end }}',
        '{{ index .Values.labels "team" }}',
        '{{ dig "a" "b" "" .Values.deep }}',
        '{{- $d := dict "scope" .Values.backups "prefix" "backup" }}',
        '{{ include "x.store" $d }}',
        '{{ include "x.render" (dict "value" .Values.annotations "context" $) }}',
        '{{/* {{ .Values.commented }} */}}',
      ].join('\n'),
    });
    expect(
      unread(dir, {
        env: { A: { value: '1', valeu: '2' } },
        ports: [{ containerPort: 80, hostPort: 80 }],
        labels: { team: 'x', tier: 'y' },
        deep: { a: { b: 1, c: 2 } },
        backups: { s3: { bucket: 'b', buckt: 'typo' }, path: '/p', paht: '/typo' },
        annotations: { anything: 'goes' },
        commented: true,
      }),
    ).toEqual([
      'env.A.valeu',
      'ports.0.hostPort',
      'labels.tier',
      'deep.a.c',
      'backups.s3.buckt',
      'backups.paht',
      'commented',
    ]);
  });

  it('leaves out NOTES.txt and helm test hooks, which configure nothing', () => {
    const dir = templates({
      'NOTES.txt': '{{ .Values.inNotes }}',
      'tests/ping.yaml': '{{ .Values.inTest }}',
      'a.yaml': '{{ .Values.used }}',
    });
    expect(unread(dir, { inNotes: 1, inTest: 1, used: 1 })).toEqual(['inNotes', 'inTest']);
  });

  it('accepts a path the schema names explicitly, not one under a free-form object', () => {
    const schema = {
      definitions: { port: { type: 'object', properties: { number: { type: 'integer' } } } },
      properties: {
        named: { type: 'object', properties: { key: { type: 'string' } } },
        freeForm: { type: 'object' },
        list: { type: 'array', items: { $ref: '#/definitions/port' } },
        typedMap: { type: 'object', additionalProperties: { type: 'string' } },
      },
    };
    expect(isDeclared(['named', 'key'], schema)).toBe(true);
    expect(isDeclared(['named', 'kye'], schema)).toBe(false);
    expect(isDeclared(['freeForm', 'anything'], schema)).toBe(false);
    expect(isDeclared(['list', '0', 'number'], schema)).toBe(true);
    expect(isDeclared(['list', '0', 'numbr'], schema)).toBe(false);
    expect(isDeclared(['typedMap', 'any'], schema)).toBe(true);
    const dir = templates({ 'a.yaml': '' });
    expect(checkValues({ named: { key: 'v' } }, templateReads(dir), schema)).toEqual({
      checked: ['named.key'],
      read: [],
      declaredOnly: ['named.key'],
      unread: [],
    });
  });

  it('lists leaf paths, descending into lists of maps only', () => {
    expect(
      emittedPaths({ a: { b: 1, c: [] }, d: ['x', 'y'], e: [{ f: 1 }], g: {} }).map((p) =>
        p.join('.'),
      ),
    ).toEqual(['a.b', 'a.c', 'd', 'e.0.f', 'g']);
  });
});
