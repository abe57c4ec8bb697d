// Workspace and service mapping screens (to be built); reached from the Connectors table links.
import type { ConnectorId } from '../bindings/ConnectorId';
import { routeHref } from '../router';
import { Placeholder } from './Placeholder';

const back = { href: routeHref({ name: 'connectors' }), label: 'Connectors' };

export function WorkspaceMappingView({ connectorId }: { connectorId: ConnectorId }) {
  return (
    <Placeholder
      testId="view-workspace-mapping"
      title="Workspace mapping"
      back={back}
      explanation={`Each Coro child workspace will be listed here next to the PSA company it bills to, for connector ${connectorId}.`}
    />
  );
}

export function ServiceMappingView({ connectorId }: { connectorId: ConnectorId }) {
  return (
    <Placeholder
      testId="view-service-mapping"
      title="Service mapping"
      back={back}
      explanation={`Each Coro module and add-on will be listed here next to the PSA product or service it is billed as, for connector ${connectorId}.`}
    />
  );
}
