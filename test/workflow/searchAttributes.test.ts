import { msToTs } from '@temporalio/common/lib/time';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { ensureSearchAttributes } from '../../src/temporal/registerSearchAttributes';
import { SEARCH_ATTRIBUTE_FLAGS } from '../../src/temporal/searchAttributes';
import { waitFor } from '../helpers/stack';
import { createTemporalEnv } from '../helpers/temporal';

describe('search attributes on a server that lacks them', () => {
  let env: TestWorkflowEnvironment;
  beforeAll(async () => {
    env = await createTemporalEnv();
  });
  afterAll(async () => env?.teardown());

  it('are registered once, and a second call changes nothing', async () => {
    const namespace = 'fresh-namespace';
    const service = env.connection.workflowService;
    await service.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('1 day') });
    await waitFor('the namespace', async () => (await service.describeNamespace({ namespace })).namespaceInfo?.name === namespace, 30_000);
    const before = (await env.connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    expect(Object.keys(SEARCH_ATTRIBUTE_FLAGS).filter((n) => n in before)).toEqual([]);

    expect(await ensureSearchAttributes(env.connection, namespace)).toEqual(Object.keys(SEARCH_ATTRIBUTE_FLAGS));
    const after = (await env.connection.operatorService.listSearchAttributes({ namespace })).customAttributes ?? {};
    for (const name of Object.keys(SEARCH_ATTRIBUTE_FLAGS)) expect(after[name]).toBeDefined();
    expect(await ensureSearchAttributes(env.connection, namespace)).toEqual([]);
  });
});
