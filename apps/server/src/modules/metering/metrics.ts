/**
 * The metrics Atrium measures itself. `sum` metrics add up over a period (tokens, requests);
 * `gauge` metrics report a level (storage, seats) and a period's figure is the highest level seen.
 * Any other name matching METRIC_NAME is an organisation's own custom metric, summed.
 */
export interface MetricDefinition {
  name: string;
  description: string;
  unit: string;
  aggregation: 'sum' | 'gauge';
}

export const BUILT_IN_METRICS: Record<string, MetricDefinition> = {
  tokens: { name: 'tokens', description: 'Input and output tokens through the gateway', unit: 'token', aggregation: 'sum' },
  requests: { name: 'requests', description: 'Successful gateway calls', unit: 'request', aggregation: 'sum' },
  agent_runs: { name: 'agent_runs', description: 'Agent runs started', unit: 'run', aggregation: 'sum' },
  workflow_steps: { name: 'workflow_steps', description: 'Workflow steps executed', unit: 'step', aggregation: 'sum' },
  plugin_executions: { name: 'plugin_executions', description: 'Plugin capability executions', unit: 'execution', aggregation: 'sum' },
  storage_bytes: { name: 'storage_bytes', description: 'Stored documents and files', unit: 'byte', aggregation: 'gauge' },
  seats: { name: 'seats', description: 'Members of the organization', unit: 'seat', aggregation: 'gauge' },
  agents: { name: 'agents', description: 'Agents defined', unit: 'agent', aggregation: 'gauge' },
};

export const METRIC_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;

export function metricDefinition(name: string): MetricDefinition {
  return BUILT_IN_METRICS[name] ?? { name, description: 'Custom metric', unit: 'unit', aggregation: 'sum' };
}

export const isBuiltInMetric = (name: string) => Object.hasOwn(BUILT_IN_METRICS, name);
