// Stops the testcontainers the setup started, if it started any.
export default async (): Promise<void> => {
  await (globalThis as { __polymuxContainers?: () => Promise<void> }).__polymuxContainers?.();
};
