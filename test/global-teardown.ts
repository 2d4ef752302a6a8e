export default async function globalTeardown(): Promise<void> {
  for (const container of globalThis.drydockContainers ?? []) await container.stop();
}
