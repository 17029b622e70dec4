import { render } from '@testing-library/react';

import { App, newQueryClient } from '../app';
import { credentialStore } from '../auth/credential';

/** The whole console at `path`, signed in with an admin key unless `signedIn` is false. */
export const renderConsole = (path: string, { signedIn = true } = {}) => {
  if (signedIn) credentialStore.set({ kind: 'key', token: 'pmx-test-key' });
  return render(<App initialPath={path} queryClient={newQueryClient()} />);
};
