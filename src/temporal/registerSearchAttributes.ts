import type { ConnectionLike } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTE_FLAGS } from './searchAttributes';

const { IndexedValueType } = temporal.api.enums.v1;
const TYPES: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  Keyword: IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  Int: IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

/**
 * Registers our search attributes in `namespace` when they are missing: the embedded dev server
 * gets them as flags, but a server at TEMPORAL_ADDRESS may not have them, and the server refuses
 * to start a workflow that sets an unknown one. Returns the names it added.
 */
export async function ensureSearchAttributes(connection: Pick<ConnectionLike, 'operatorService'>, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.keys(SEARCH_ATTRIBUTE_FLAGS).filter((name) => !(name in (customAttributes ?? {})));
  if (missing.length === 0) return [];
  const searchAttributes: Record<string, temporal.api.enums.v1.IndexedValueType> = {};
  for (const name of missing) {
    const type = TYPES[SEARCH_ATTRIBUTE_FLAGS[name] ?? ''];
    if (type === undefined) throw new Error(`search attribute ${name}: no indexed type for ${SEARCH_ATTRIBUTE_FLAGS[name]}`);
    searchAttributes[name] = type;
  }
  await connection.operatorService.addSearchAttributes({ namespace, searchAttributes });
  return missing;
}

/**
 * The start-up form: a server that refuses the operator call (Temporal Cloud registers attributes
 * through its console or `tcld`, a locked-down cluster through its operators) does not stop a
 * process; the warning names each attribute and the command that registers it.
 */
export async function ensureSearchAttributesAtStart(connection: Pick<ConnectionLike, 'operatorService'>, namespace: string, log: (line: string) => void): Promise<void> {
  try {
    const added = await ensureSearchAttributes(connection, namespace);
    if (added.length) log(`registered search attributes ${added.join(', ')} in namespace ${namespace}`);
  } catch (err) {
    const entries = Object.entries(SEARCH_ATTRIBUTE_FLAGS);
    const wanted = entries.map(([name, type]) => `${name} (${type})`).join(', ');
    const cloud = `tcld namespace search-attributes add --namespace ${namespace} ${entries.map(([name, type]) => `--search-attribute ${name}=${type}`).join(' ')}`;
    const selfHosted = `temporal operator search-attribute create --namespace ${namespace} ${entries.map(([name, type]) => `--name ${name} --type ${type}`).join(' ')}`;
    log(
      `warning: could not check or register search attributes in namespace ${namespace} (${(err as Error).message}); ` +
        `register ${wanted} before connecting a workspace: on Temporal Cloud in the namespace's settings or with \`${cloud}\`, ` +
        `on a self-hosted cluster with \`${selfHosted}\``,
    );
  }
}
