import '@testing-library/jest-dom/vitest';

import { cleanup, configure } from '@testing-library/react';
import { afterEach } from 'vitest';

import { credentialStore } from '../auth/credential';

// Pages load lazily and the test files run in parallel on shared cores: a find waits up to 5 s, not 1 s.
configure({ asyncUtilTimeout: 5000 });

// jsdom has <dialog> without its modal methods.
if (!HTMLDialogElement.prototype.showModal) {
  HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
    this.setAttribute('open', '');
  };
  HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
    this.removeAttribute('open');
  };
}

afterEach(() => {
  cleanup();
  credentialStore.set(null);
  localStorage.clear();
  document.documentElement.removeAttribute('data-theme');
});
