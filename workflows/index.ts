// The workflow bundle's entry point: every workflow type the worker registers.
export { workspaceWorkflow } from './workspace';
export { backfillWorkflow } from './backfill';
