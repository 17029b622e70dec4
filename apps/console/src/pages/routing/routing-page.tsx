import { dataPlaneUrl, useConsoleConfig } from '../../api/queries';
import { ProjectPicker, useProjectSelection } from '../../shell/project-picker';
import { ErrorState, Loading } from '../../ui/states';
import { Playground } from './playground';
import { PoliciesSection } from './policies-section';

/** Routing: the policies of each level (read, or edited by those who may), and the explain playground. */
export default function RoutingPage() {
  const config = useConsoleConfig();
  const selection = useProjectSelection();
  return (
    <article className="page">
      <h1>Routing</h1>
      <ProjectPicker selection={selection} />
      <PoliciesSection selection={selection} />
      {config.isPending && <Loading what="the gateway's settings" />}
      {config.error && (
        <ErrorState error={config.error} what="load the gateway's settings" onRetry={() => config.refetch()} />
      )}
      {config.data && <Playground dataPlane={dataPlaneUrl(config.data, window.location)} />}
    </article>
  );
}
