import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { ProjectPicker, useProjectSelection } from '../../shell/project-picker';
import { BalancePanel } from './balance-panel';
import { CreditForm } from './credit-form';
import { LedgerPanel } from './ledger-panel';
import { PlanPanel } from './plan-panel';
import { StatementPanel } from './statement-panel';

/**
 * Credits and billing: a project's balance and what calls hold of it, the operator's top-ups,
 * grants, refunds and adjustments, the ledger, the org's statements (CSV too) and its plan.
 */
export default function CreditsPage() {
  const { me } = useAuth();
  const selection = useProjectSelection();
  const { project, orgId } = selection;
  return (
    <article className="page">
      <h1>Credits and billing</h1>
      <ProjectPicker selection={selection} />
      {project && (
        <>
          <BalancePanel project={project} />
          {can(me, 'credits.write') ? (
            <CreditForm project={project} />
          ) : (
            <p className="hint">Credits are added by the instance operator: ask yours to top up {project.name}.</p>
          )}
          <LedgerPanel project={project} />
        </>
      )}
      {orgId && <StatementPanel orgId={orgId} />}
      {orgId && can(me, 'plan.read') && <PlanPanel orgId={orgId} />}
    </article>
  );
}
