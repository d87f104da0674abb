import { CloudwatchQueryDefinition } from '@cdktf/provider-aws/lib/cloudwatch-query-definition';
import {
  apiLogQueries,
  LogInsightsQueries,
  REQUEST_ID_PLACEHOLDER,
  type LogInsightsQueriesProps,
} from '../../../modules/observability/log-insights-queries';
import { resourcesOf, synthConstructs } from '../../helpers/synth';

const appLogGroup = '/aws/containerinsights/hello-prod/application';

function synth(props: Partial<LogInsightsQueriesProps> = {}) {
  const result = synthConstructs((scope) => {
    new LogInsightsQueries(scope, 'queries', {
      namePrefix: 'hello-prod',
      logGroupName: appLogGroup,
      ...props,
    });
  });
  const byName = Object.fromEntries(
    Object.values(resourcesOf(result.json, 'aws_cloudwatch_query_definition')).map((q) => [
      q.name as string,
      q as { query_string: string; log_group_names: string[] },
    ]),
  );
  return { ...result, byName };
}

describe('LogInsightsQueries', () => {
  it('saves the four API queries on the application log group', () => {
    const { byName } = synth();
    expect(Object.keys(byName).sort()).toEqual([
      'hello-prod/api/errors-by-route',
      'hello-prod/api/recent-errors',
      'hello-prod/api/request-trail',
      'hello-prod/api/slowest-requests',
    ]);
    for (const query of Object.values(byName)) expect(query.log_group_names).toEqual([appLogGroup]);
  });

  it('reads the JSON fields where Container Insights Fluent Bit puts them', () => {
    const { byName } = synth();
    expect(byName['hello-prod/api/errors-by-route']?.query_string).toBe(
      [
        'fields @timestamp, log_processed.method, log_processed.route, log_processed.status',
        '| filter log_processed.status >= 500',
        '| stats count(*) as errors by log_processed.method, log_processed.route, log_processed.status',
        '| sort errors desc',
      ].join('\n'),
    );
    expect(byName['hello-prod/api/slowest-requests']?.query_string).toContain(
      '| sort log_processed.durationMs desc',
    );
    expect(byName['hello-prod/api/request-trail']?.query_string).toContain(
      `| filter log_processed.requestId = "${REQUEST_ID_PLACEHOLDER}"`,
    );
  });

  it('takes field names, prefix and a namespace filter from props', () => {
    const { synthesized } = synth({
      fields: { requestId: 'reqId', duration: 'responseTime' },
      jsonFieldPrefix: 'log_processed.',
      namespace: 'hello',
      containerName: 'api',
    });
    expect(synthesized).toHaveResourceWithProperties(CloudwatchQueryDefinition, {
      name: 'hello-prod/api/request-trail',
      query_string: expect.stringContaining(
        `| filter log_processed.reqId = "${REQUEST_ID_PLACEHOLDER}"`,
      ),
    });
    const queries = apiLogQueries({ namespace: 'hello', containerName: 'api' });
    expect(queries).toHaveLength(4);
    for (const query of queries) {
      expect(query.queryString).toContain('| filter kubernetes.namespace_name = "hello"');
      expect(query.queryString).toContain('| filter kubernetes.container_name = "api"');
    }
    expect(apiLogQueries({ jsonFieldPrefix: '' })[1]?.queryString).toContain(
      '| sort durationMs desc',
    );
  });

  it('refuses field names and namespaces that would break or inject into the query', () => {
    expect(() => apiLogQueries({ fields: { status: 'status | limit 1' } })).toThrow(/field name/);
    expect(() => apiLogQueries({ namespace: 'Hello"' })).toThrow(/Kubernetes name/);
  });
});
