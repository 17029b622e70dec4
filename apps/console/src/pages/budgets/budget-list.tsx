import type { Budget } from '../../api/types';
import { BudgetMeter } from './budget-meter';
import type { ScopeNames } from './budget-labels';
import { PERIOD_LABELS, budgetLabel, scopeLabel } from './budget-labels';

/** Each budget with its current period's spend as a bar; change and delete for who may. */
export function BudgetList({
  budgets,
  names,
  canWrite,
  onEdit,
  onDelete,
}: {
  budgets: Budget[];
  names: ScopeNames;
  canWrite: boolean;
  onEdit: (budget: Budget) => void;
  onDelete: (budget: Budget) => void;
}) {
  return (
    <ul className="budgets">
      {budgets.map((budget) => {
        const label = budgetLabel(budget, names);
        return (
          <li key={budget.id} className="card" data-budget-id={budget.id}>
            <div className="toolbar">
              <h3>{scopeLabel(budget, names)}</h3>
              {canWrite && (
                <div className="row-actions">
                  <button type="button" onClick={() => onEdit(budget)} aria-label={`Change the ${label}`}>
                    Change
                  </button>
                  <button
                    type="button"
                    className="danger"
                    onClick={() => onDelete(budget)}
                    aria-label={`Delete the ${label}`}
                  >
                    Delete
                  </button>
                </div>
              )}
            </div>
            <p className="hint">
              {PERIOD_LABELS[budget.period]} in {budget.timezone}: this period from{' '}
              {new Date(budget.current.periodStart).toLocaleString()} to{' '}
              {new Date(budget.current.periodEnd).toLocaleString()}
            </p>
            <BudgetMeter budget={budget} label={label} />
            <p className="hint">
              Alerts at{' '}
              {budget.thresholds.length > 0
                ? budget.thresholds.map((percent) => `${percent}%`).join(', ')
                : 'no threshold'}
              {budget.current.alertedPercent > 0
                ? `; alerted up to ${budget.current.alertedPercent}% this period.`
                : '; none alerted this period.'}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
