import { Construct } from 'constructs';
import { CloudwatchQueryDefinition } from '@cdktf/provider-aws/lib/cloudwatch-query-definition';

/**
 * Names of the fields in the API's JSON log lines (pino). Defaults match the API's access log
 * (`api/middleware/access-log.ts`): `{ requestId, method, route, status, durationMs }` plus
 * pino's `level` (as a label) and `msg`.
 */
export interface ApiLogFields {
  /** Default: `requestId`. */
  readonly requestId?: string;
  /** Default: `method`. */
  readonly method?: string;
  /** Route template (never the raw path). Default: `route`. */
  readonly route?: string;
  /** HTTP status as a number. Default: `status`. */
  readonly status?: string;
  /** Request duration in milliseconds. Default: `durationMs`. */
  readonly duration?: string;
  /** Log level label (`error`, `warn`, ...). Default: `level`. */
  readonly level?: string;
  /** Log message. Default: `msg`. */
  readonly message?: string;
}

export interface LogInsightsQueriesProps {
  /** `<project>-<env>`; queries are saved in the folder `<namePrefix>/api`. */
  readonly namePrefix: string;
  /** The log group with the API's container output (Container Insights `application`). */
  readonly logGroupName: string;
  /** Field names of the API's log lines. Default: see `ApiLogFields`. */
  readonly fields?: ApiLogFields;
  /**
   * Prefix under which the log shipper stores the parsed JSON line. Default: `log_processed.`,
   * where the Container Insights Fluent Bit (`Merge_Log On`, `Merge_Log_Key log_processed`)
   * puts it; the raw line stays in `log`, pod metadata in `kubernetes.*`.
   */
  readonly jsonFieldPrefix?: string;
  /**
   * Only lines from this Kubernetes namespace (`kubernetes.namespace_name`). The application log
   * group holds every container of the cluster. Default: no namespace filter.
   */
  readonly namespace?: string;
  /** Only lines from this container (`kubernetes.container_name`). Default: no filter. */
  readonly containerName?: string;
}

/** The value the request trail query filters on; replace it in the console before running. */
export const REQUEST_ID_PLACEHOLDER = 'REPLACE-WITH-REQUEST-ID';

const FIELD = /^[A-Za-z_@][A-Za-z0-9_@]*(\.[A-Za-z0-9_@]+)*$/;
const KUBERNETES_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** One saved query: its short key (last name segment) and Logs Insights text. */
export interface SavedQuery {
  readonly key: string;
  readonly queryString: string;
}

/** Builds the query texts; exported so tests (and docs) can read them without synthesizing. */
export function apiLogQueries(
  props: Pick<
    LogInsightsQueriesProps,
    'fields' | 'jsonFieldPrefix' | 'namespace' | 'containerName'
  >,
): SavedQuery[] {
  const prefix = props.jsonFieldPrefix ?? 'log_processed.';
  const names = {
    requestId: props.fields?.requestId ?? 'requestId',
    method: props.fields?.method ?? 'method',
    route: props.fields?.route ?? 'route',
    status: props.fields?.status ?? 'status',
    duration: props.fields?.duration ?? 'durationMs',
    level: props.fields?.level ?? 'level',
    message: props.fields?.message ?? 'msg',
  };
  const f = Object.fromEntries(
    Object.entries(names).map(([key, name]) => {
      const full = `${prefix}${name}`;
      if (!FIELD.test(full)) throw new Error(`"${full}" is not a plain Logs Insights field name`);
      return [key, full];
    }),
  ) as Record<keyof typeof names, string>;

  const scope: string[] = [];
  for (const [field, value] of [
    ['kubernetes.namespace_name', props.namespace],
    ['kubernetes.container_name', props.containerName],
  ] as const) {
    if (value === undefined) continue;
    if (!KUBERNETES_NAME.test(value)) throw new Error(`"${value}" is not a Kubernetes name`);
    scope.push(`| filter ${field} = "${value}"`);
  }
  const query = (...lines: string[]) => lines.filter((line) => line !== '').join('\n');
  const where = scope.join('\n');

  return [
    {
      key: 'errors-by-route',
      queryString: query(
        `fields @timestamp, ${f.method}, ${f.route}, ${f.status}`,
        where,
        `| filter ${f.status} >= 500`,
        `| stats count(*) as errors by ${f.method}, ${f.route}, ${f.status}`,
        '| sort errors desc',
      ),
    },
    {
      key: 'slowest-requests',
      queryString: query(
        `fields @timestamp, ${f.requestId}, ${f.method}, ${f.route}, ${f.status}, ${f.duration}`,
        where,
        `| filter ispresent(${f.duration})`,
        `| sort ${f.duration} desc`,
        '| limit 50',
      ),
    },
    {
      key: 'request-trail',
      queryString: query(
        `fields @timestamp, ${f.level}, ${f.message}, ${f.method}, ${f.route}, ${f.status}, ${f.duration}, kubernetes.pod_name`,
        where,
        `| filter ${f.requestId} = "${REQUEST_ID_PLACEHOLDER}"`,
        '| sort @timestamp asc',
      ),
    },
    {
      key: 'recent-errors',
      queryString: query(
        `fields @timestamp, ${f.message}, ${f.requestId}, ${f.route}, kubernetes.pod_name`,
        where,
        `| filter ${f.level} = "error" or ${f.level} = "fatal"`,
        '| sort @timestamp desc',
        '| limit 100',
      ),
    },
  ];
}

/**
 * CloudWatch Logs Insights saved queries for the API's JSON logs: errors by route, the slowest
 * requests, one request id's trail, and recent error lines. They appear in the console under
 * Logs Insights → Saved queries, folder `<namePrefix>/api`.
 */
export class LogInsightsQueries extends Construct {
  /** Query definition ids by key (`errors-by-route`, `slowest-requests`, ...). */
  public readonly queryDefinitionIds: Readonly<Record<string, string>>;
  /** Full saved-query names, e.g. `hello-prod/api/errors-by-route`. */
  public readonly queryNames: string[];

  constructor(scope: Construct, id: string, props: LogInsightsQueriesProps) {
    super(scope, id);
    const ids: Record<string, string> = {};
    this.queryNames = apiLogQueries(props).map(({ key, queryString }) => {
      const name = `${props.namePrefix}/api/${key}`;
      const definition = new CloudwatchQueryDefinition(this, key, {
        name,
        logGroupNames: [props.logGroupName],
        queryString,
      });
      ids[key] = definition.queryDefinitionId;
      return name;
    });
    this.queryDefinitionIds = ids;
  }
}
