import type { Budget } from '../../api/types';
import { formatUsd } from '../../ui/money';

/** `part` as a percent of `whole` with two decimals, for widths and positions only (never for money). */
const share = (part: bigint, whole: bigint) => Number((part * 10_000n) / whole) / 100;

/**
 * A budget's current period as a bar: spent, then what calls in flight hold, against the amount;
 * the soft thresholds and the hard limit marked. The bar spans the larger of the amount, the hard
 * limit and what is spent and held, so nothing runs off its end.
 */
export function BudgetMeter({ budget, label }: { budget: Budget; label: string }) {
  const amount = BigInt(budget.amountNanoUsd);
  const spent = BigInt(budget.current.spentNanoUsd);
  const held = BigInt(budget.current.heldNanoUsd);
  const hard = budget.hardLimitNanoUsd === null ? null : BigInt(budget.hardLimitNanoUsd);
  const candidates = [amount, hard ?? 0n, spent + held];
  const span = candidates.reduce((max, value) => (value > max ? value : max), 1n);
  const used = budget.current.usedPercent;
  const state = hard !== null && spent + held >= hard ? 'over' : used >= 100 ? 'full' : used >= 80 ? 'high' : 'ok';
  return (
    <div className="meter-wrap">
      <div
        className={`meter meter-${state}`}
        role="progressbar"
        aria-label={`Spend of ${label}`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.min(used, 100)}
        aria-valuetext={`${formatUsd(spent)} of ${formatUsd(amount)} spent (${used}%)`}
      >
        <div className="meter-spent" style={{ width: `${share(spent, span)}%` }} />
        <div className="meter-held" style={{ width: `${share(held, span)}%` }} />
        {budget.thresholds.map((percent) => {
          const at = share((amount * BigInt(percent)) / 100n, span);
          return at <= 100 ? (
            <span key={percent} className="meter-mark" style={{ left: `${at}%` }} aria-hidden="true" />
          ) : null;
        })}
        {hard !== null && <span className="meter-limit" style={{ left: `${share(hard, span)}%` }} aria-hidden="true" />}
      </div>
      <p className="meter-legend">
        <strong data-testid="budget-spent">{formatUsd(spent)}</strong> of {formatUsd(amount)} spent ({used}%)
        {held > 0n && <> · {formatUsd(held)} held by calls in flight</>}
        {hard !== null && <> · hard limit {formatUsd(hard)}</>}
      </p>
    </div>
  );
}
