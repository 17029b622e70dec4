/** A `fetch` that counts the requests it sends: how a test sees that an SDK did not retry. */
export const countingFetch = () => {
  const counter = { requests: 0 };
  const counted: typeof fetch = (input, init) => {
    counter.requests += 1;
    return fetch(input, init);
  };
  return { counter, fetch: counted };
};
