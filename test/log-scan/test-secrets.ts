import { SIM_AWS_CREDENTIALS, simServiceAccount } from '@polymux/provider-sim';

import { CREDENTIALS_ENV } from '../e2e/conformance/suite';

/**
 * The literal provider credentials the tests hand the gateway (beyond what the shapes of
 * `SECRET_PATTERNS` catch): the simulator's AWS secret and its service account's private key, and
 * the keys the conformance suite configures. A log line holding one leaked a credential.
 */
export const TEST_SECRETS: readonly string[] = [
  SIM_AWS_CREDENTIALS.secretAccessKey,
  // A line of the private key's body: a PEM split over log lines still shows.
  simServiceAccount('http://sim').private_key!.split('\n')[1]!,
  ...Object.entries(CREDENTIALS_ENV)
    .filter(([name]) => name !== 'SIM_AWS_ACCESS_KEY_ID')
    .map(([, value]) => value),
  'sk-sim',
];
