import type { RoutingPolicy, RoutingStrategy } from '../../api/types';

export type StrategyType = RoutingStrategy['type'];
type Tier = 'economy' | 'standard' | 'frontier';

export const STRATEGIES: ReadonlyArray<{ value: StrategyType; label: string }> = [
  { value: 'cheapest-capable', label: 'Cheapest capable' },
  { value: 'best-quality', label: 'Best quality' },
  { value: 'fastest', label: 'Fastest' },
  { value: 'balanced', label: 'Balanced (weighted cost, quality, speed)' },
  { value: 'ordered', label: 'Ordered (named first)' },
  { value: 'weighted-split', label: 'Weighted split (A/B)' },
];
export const TIERS: readonly Tier[] = ['economy', 'standard', 'frontier'];

/** What the policy form holds, as typed: lists comma-separated, numbers and JSON as text. */
export interface PolicyFormValues {
  allowModels: string;
  denyModels: string;
  allowProviders: string;
  denyProviders: string;
  regions: string;
  strategy: StrategyType | '';
  weightCost: string;
  weightQuality: string;
  weightSpeed: string;
  order: string;
  split: string;
  maxInput: string;
  maxOutput: string;
  zeroRetentionOnly: boolean;
  pressureAt: string;
  pressureMaxTier: Tier | '';
  pressureStrategy: StrategyType | '';
  aliases: string;
  tasks: string;
  /** The stored budget-pressure strategy, kept whole while its type is unchanged (the form edits only its type). */
  storedPressureStrategy?: RoutingStrategy;
}

export type PolicyField = Exclude<keyof PolicyFormValues, 'storedPressureStrategy'>;
/** The fields typed as free text. */
export type TextField = Exclude<PolicyField, 'zeroRetentionOnly' | 'strategy' | 'pressureMaxTier' | 'pressureStrategy'>;

const joined = (items: readonly string[] | undefined) => (items ?? []).join(', ');
const list = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter(Boolean);
const json = (value: unknown) => (value === undefined ? '' : JSON.stringify(value, null, 2));

export const policyFormOf = (policy: RoutingPolicy | undefined): PolicyFormValues => {
  const strategy = policy?.strategy;
  const weights = strategy?.type === 'balanced' ? strategy.weights : undefined;
  return {
    allowModels: joined(policy?.allowModels),
    denyModels: joined(policy?.denyModels),
    allowProviders: joined(policy?.allowProviders),
    denyProviders: joined(policy?.denyProviders),
    regions: joined(policy?.regions),
    strategy: strategy?.type ?? '',
    weightCost: String(weights?.cost ?? 1),
    weightQuality: String(weights?.quality ?? 1),
    weightSpeed: String(weights?.speed ?? 1),
    order: strategy?.type === 'ordered' ? joined(strategy.order) : '',
    split:
      strategy?.type === 'weighted-split'
        ? Object.entries(strategy.weights)
            .map(([name, weight]) => `${name}=${weight}`)
            .join(', ')
        : '',
    maxInput: policy?.maxPricePerMTok?.input ?? '',
    maxOutput: policy?.maxPricePerMTok?.output ?? '',
    zeroRetentionOnly: policy?.zeroRetentionOnly === true,
    pressureAt: policy?.budgetPressure ? String(policy.budgetPressure.atPercent) : '',
    pressureMaxTier: policy?.budgetPressure?.maxTier ?? '',
    pressureStrategy: policy?.budgetPressure?.strategy?.type ?? '',
    aliases: json(policy?.aliases),
    tasks: json(policy?.tasks),
    ...(policy?.budgetPressure?.strategy ? { storedPressureStrategy: policy.budgetPressure.strategy } : {}),
  };
};

/** A problem with one field, found before sending or named by the API's `param`. */
export interface FieldError {
  field: PolicyField | null;
  message: string;
}

class FormProblem extends Error {
  constructor(
    readonly field: PolicyField,
    message: string,
  ) {
    super(message);
  }
}

const parsedJson = (field: PolicyField, text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    throw new FormProblem(field, `${field} is not valid JSON`);
  }
};

/** Numbers as typed: the API checks their range and names the field. */
const number = (text: string) => Number(text.trim());

const splitWeights = (text: string): Record<string, number> =>
  Object.fromEntries(
    list(text).map((pair) => {
      const [name = '', weight = ''] = pair.split('=');
      if (!name || !weight) throw new FormProblem('split', `“${pair}” is not name=weight`);
      return [name, number(weight)];
    }),
  );

const strategyOf = (values: PolicyFormValues): RoutingStrategy | undefined => {
  switch (values.strategy) {
    case '':
      return undefined;
    case 'cheapest-capable':
    case 'best-quality':
    case 'fastest':
      return { type: values.strategy };
    case 'balanced':
      return {
        type: 'balanced',
        weights: {
          cost: number(values.weightCost),
          quality: number(values.weightQuality),
          speed: number(values.weightSpeed),
        },
      };
    case 'ordered':
      return { type: 'ordered', order: list(values.order) };
    case 'weighted-split':
      return { type: 'weighted-split', weights: splitWeights(values.split) };
  }
};

/** The strategies budget pressure offers to switch to (a stored one of another type is kept as it is). */
export const PRESSURE_STRATEGIES = STRATEGIES.filter((strategy) =>
  ['cheapest-capable', 'best-quality', 'fastest', 'balanced'].includes(strategy.value),
);

const pressureStrategyOf = (values: PolicyFormValues): RoutingStrategy | undefined => {
  const type = values.pressureStrategy;
  if (values.storedPressureStrategy?.type === type) return values.storedPressureStrategy;
  switch (type) {
    case '':
      return undefined;
    case 'balanced':
      return { type, weights: {} };
    case 'ordered':
      return { type };
    case 'weighted-split':
      // Only a stored one offers it (above); without weights the API names the field.
      return { type, weights: {} };
    case 'cheapest-capable':
    case 'best-quality':
    case 'fastest':
      return { type };
  }
};

/**
 * The policy `PUT /admin/v1/routing-policies/{scope}/{id}` takes, from the form: empty fields are
 * left out (no restriction, the router's default). JSON that does not parse is named here; every
 * other check is the API's, which names the field in its answer.
 */
export const policyOf = (values: PolicyFormValues): { policy: RoutingPolicy } | { error: FieldError } => {
  try {
    const lists = {
      allowModels: list(values.allowModels),
      denyModels: list(values.denyModels),
      allowProviders: list(values.allowProviders),
      denyProviders: list(values.denyProviders),
      regions: list(values.regions),
    };
    const strategy = strategyOf(values);
    const pressureStrategy = pressureStrategyOf(values);
    const policy: RoutingPolicy = {
      ...Object.fromEntries(Object.entries(lists).filter(([, items]) => items.length > 0)),
      ...(strategy ? { strategy } : {}),
      ...(values.maxInput.trim() || values.maxOutput.trim()
        ? {
            maxPricePerMTok: {
              ...(values.maxInput.trim() ? { input: values.maxInput.trim() } : {}),
              ...(values.maxOutput.trim() ? { output: values.maxOutput.trim() } : {}),
            },
          }
        : {}),
      ...(values.zeroRetentionOnly ? { zeroRetentionOnly: true } : {}),
      ...(values.pressureAt.trim()
        ? {
            budgetPressure: {
              atPercent: number(values.pressureAt),
              ...(values.pressureMaxTier ? { maxTier: values.pressureMaxTier } : {}),
              ...(pressureStrategy ? { strategy: pressureStrategy } : {}),
            },
          }
        : {}),
      ...(values.aliases.trim() ? { aliases: parsedJson('aliases', values.aliases) as RoutingPolicy['aliases'] } : {}),
      ...(values.tasks.trim() ? { tasks: parsedJson('tasks', values.tasks) as RoutingPolicy['tasks'] } : {}),
    };
    return { policy };
  } catch (error) {
    if (error instanceof FormProblem) return { error: { field: error.field, message: error.message } };
    throw error;
  }
};

const WEIGHT_FIELDS: Record<string, PolicyField> = {
  cost: 'weightCost',
  quality: 'weightQuality',
  speed: 'weightSpeed',
};

/** The form field an API `param` (`maxPricePerMTok.input`, `strategy.weights.cost`, `denyModels.0`) names. */
export const fieldOfParam = (param: string | null): PolicyField | null => {
  if (!param) return null;
  const [head, next] = param.split('.');
  switch (head) {
    case 'allowModels':
    case 'denyModels':
    case 'allowProviders':
    case 'denyProviders':
    case 'regions':
    case 'zeroRetentionOnly':
    case 'aliases':
    case 'tasks':
      return head;
    case 'strategy': {
      if (next === 'order') return 'order';
      if (next !== 'weights') return 'strategy';
      return WEIGHT_FIELDS[param.split('.')[2] ?? ''] ?? 'split';
    }
    case 'maxPricePerMTok':
      return next === 'output' ? 'maxOutput' : 'maxInput';
    case 'budgetPressure':
      return next === 'maxTier' ? 'pressureMaxTier' : next === 'strategy' ? 'pressureStrategy' : 'pressureAt';
    default:
      return null;
  }
};

/** The fields a policy sets, for the list: `denyModels, strategy`. */
export const fieldsSet = (policy: RoutingPolicy): string =>
  Object.keys(policy).sort().join(', ') || 'nothing (the defaults)';
