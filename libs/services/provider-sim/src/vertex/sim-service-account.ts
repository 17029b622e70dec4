/**
 * The simulator's own test service account: a key pair made for it and published here, never a
 * Google credential. Its token endpoint accepts assertions signed with this key only, so tests (and
 * local runs) authenticate to the simulated Vertex AI exactly as they would to Google.
 */

export const SIM_SERVICE_ACCOUNT_EMAIL = 'polymux-sim@polymux-sim.iam.gserviceaccount.com';
export const SIM_SERVICE_ACCOUNT_KEY_ID = 'polymux-sim-key-1';

/** The private key, PKCS#8 PEM, as a service-account JSON key carries it. */
export const SIM_PRIVATE_KEY =
  '-----BEGIN PRIVATE KEY-----\n' +
  'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQCW2z1brkC89H31\n' +
  'M7oCZ/6JPONiqhtNks3RPUnHVkyyFqseUuLJdGkb2rYklcWsXQ+UsXS2YoWjOxQK\n' +
  'ZhccpiA9YiTAtskBuIgHnLk0qvIY0W9mjWKNFYUitNWhoAGEoDApLCl7sIzugsra\n' +
  'bwwA7yM4dxQIYW/1nR9jRnIxRxm4n//Of6oZGrkuekbL+jAcRePtipsJ1dyV1PtD\n' +
  'Kl1ooOxCxy8HD+7xoHHZiW6RJd5EuOVeR8gMyWVksDaxkMU7HkiLtbfS8yt47Gra\n' +
  'rkQehedB6BWyMenSrctax2idt7oc3p/GSZ9qTGGS8DU8WOe3FltANjj56rjx5iWH\n' +
  'zcrd5Sc3AgMBAAECggEASg9L6ix738fv5mcElJXVYi6gOxnj2YuOu4BpLhFyCaQT\n' +
  'UgnDCL+7sk8HSKK2rs3pDkioUbnAfchNKGXCRvBPt5LtFCcoO04KiiIo0nBx9jkr\n' +
  'hZ83mKfN+qHolzZkSGYT/sKNgwnDxnwzdlU6AWNlWR0smoirXFtMw4IcIZEUUYyJ\n' +
  'qUb0GqQod519yIPaemLv3FaqilErAsY06GnSyqiN3WulJiCWTc9HzcVaREoHh2Ii\n' +
  '1Uvj7P4VUBXdpmqAlQpDTIhnvmrmxT4LIAlL3XfFJcYhLj2qZkvBZp326D6LQYGU\n' +
  'AFww2SSPLp+1K+xaEQ0tZZkVsUMTgXgaK1k0kCQNMQKBgQDTBa0MuT07wKSRTe8x\n' +
  'H8RWB/1uixcHwtc/drn7q1FcxuAusrjyPlBmc40aWjWfzNJk+MGLnws+KXGmAeSR\n' +
  'MQLuqqvX7anTX9nm+Z0e60FR9UhdNSGM3Me/jdE0ZCYerVZZFFEqSU1Hv7TbvnJe\n' +
  'vJBkEmQ9XTLTV+i0F1JA/fdziwKBgQC3AqW6TvJ0gN4dtanWHl/lNCjpdbFn3Xfr\n' +
  'dFokHmNeW/vb/CIuyvq0Iu7ZlpeLNTGchSulmAJGwTHSEoq2oQoVEBjY0tJdlkHS\n' +
  'rpodA8DQlKNbdJdaHMIRcmtMkiGxE90109EkQw5X6Pp85vcNp2nLjdKHkYJXiaJT\n' +
  'Uc5uu0ZghQKBgCqeVtjfAJL00UfXaZuOQuTtMC4HQVt76mUS4XUGoKQQNm64AcpK\n' +
  '84n9hF3yIipn/4YNB2nfcTHYxO82Kqd4MpNpPNObWFUsYqHXf/gio0qeM0M/28rL\n' +
  'PDxftATUxS4k6++Jvuq/azA2c5x91jNz+eV8IWqTTBSLCKB2pVIi+LsJAoGASU1s\n' +
  'KCW7A2MilG/RKQxdiKbNxET53ApfIBYojNMHJiJdzQ0+e9Ode02KseiZpo6V4oWM\n' +
  'p/Us5D45wFTg7qmuKiWabi5zSD0I/GQnInwAXQtMKzOV8+gU63wS8kaN7Clyrz66\n' +
  'RHX/ZsLQofq49eUagQe7TcXAmWNte0YHE187nykCgYEAv7S63gFDB6qolSnQstfC\n' +
  'v3fYXAeHZTVH3o/bOOz4V1EHZP9VrvATOX0d9oH22nBH6MDo/1HCKSIXSf8jmlTy\n' +
  'Euet8Rv4oLgXglNLqNZahwjWB4tYahIkqJvdA2DG5Bz0i7N2CAaeIt12TUXWlU9k\n' +
  'GTUyH8hFXg7EX5d+6xQE8uw=\n' +
  '-----END PRIVATE KEY-----\n';

/** A service-account JSON key of the test account, whose `token_uri` is the simulator's endpoint. */
export const simServiceAccount = (simUrl: string): Record<string, string> => ({
  type: 'service_account',
  project_id: 'polymux-sim',
  private_key_id: SIM_SERVICE_ACCOUNT_KEY_ID,
  private_key: SIM_PRIVATE_KEY,
  client_email: SIM_SERVICE_ACCOUNT_EMAIL,
  client_id: '100000000000000000001',
  token_uri: `${simUrl}/oauth2/token`,
});
