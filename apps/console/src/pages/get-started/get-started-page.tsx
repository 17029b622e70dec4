import { useState } from 'react';

import { dataPlaneUrl, useConsoleConfig } from '../../api/queries';
import type { KeyWithSecret } from '../../api/types';
import { useAuth } from '../../auth/auth';
import { can } from '../../auth/permissions';
import { ProjectPicker, useProjectSelection } from '../../shell/project-picker';
import { CopyButton } from '../../ui/copy-button';
import { SecretOnce } from '../../ui/secret-once';
import { ErrorState, Loading } from '../../ui/states';
import { Tabs } from '../../ui/tabs';
import { CreateKeyButton } from './create-key-button';
import { CreditsStep } from './credits-step';
import { SNIPPETS } from './snippets';

const KEY_PLACEHOLDER = '$POLYMUX_API_KEY';

/** Onboarding: the base URL, a key in one click, credits, and the calls to paste with both filled in. */
export default function GetStartedPage() {
  const { me } = useAuth();
  const config = useConsoleConfig();
  const selection = useProjectSelection();
  const [created, setCreated] = useState<KeyWithSecret | null>(null);
  const project = selection.project;
  if (config.isPending) return <Loading what="the gateway's settings" />;
  if (config.error)
    return <ErrorState error={config.error} what="load the gateway's settings" onRetry={() => config.refetch()} />;
  const baseUrl = dataPlaneUrl(config.data, window.location);
  const key = created && created.projectId === project?.id ? created.key : KEY_PLACEHOLDER;
  return (
    <article className="page">
      <h1>Get started</h1>
      <section aria-labelledby="base-url">
        <h2 id="base-url">Base URL</h2>
        <p>Point your OpenAI or Anthropic SDK here instead of the provider:</p>
        <div className="secret-value">
          <code data-testid="base-url">{baseUrl}/v1</code>
          <CopyButton text={`${baseUrl}/v1`} label="Copy the base URL" />
        </div>
      </section>
      <ProjectPicker selection={selection} />
      {project && (
        <ol className="steps">
          <li>
            <h2>Create a key</h2>
            <div className="step-body">
              {can(me, 'key.write') ? (
                created && created.projectId === project.id ? (
                  <SecretOnce name={created.name} secret={created.key} />
                ) : (
                  <CreateKeyButton project={project} onCreated={setCreated} />
                )
              ) : (
                <p>Your roles do not create keys: ask a developer, team admin or admin of your organisation for one.</p>
              )}
            </div>
          </li>
          <li>
            <h2>Top up credits</h2>
            <div className="step-body">
              <CreditsStep project={project} />
            </div>
          </li>
          <li>
            <h2>Replace the base URL and the key</h2>
            <p>
              {key === KEY_PLACEHOLDER
                ? `Create a key above to fill it in, or set ${KEY_PLACEHOLDER} to one.`
                : 'Your new key is filled in below.'}
            </p>
            <Tabs
              label="Code snippets"
              tabs={SNIPPETS.map((snippet) => {
                const code = snippet.code(baseUrl, key);
                return {
                  id: snippet.id,
                  label: snippet.label,
                  content: (
                    <div className="snippet">
                      <pre>
                        <code data-language={snippet.language}>{code}</code>
                      </pre>
                      <CopyButton text={code} label={`Copy the ${snippet.label} snippet`} />
                    </div>
                  ),
                };
              })}
            />
          </li>
        </ol>
      )}
    </article>
  );
}
