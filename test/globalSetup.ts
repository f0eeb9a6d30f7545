export default async function globalSetup(): Promise<void> {
  // Filled in by the Temporal bootstrap: makes sure the CLI binary exists once, before test files run in parallel.
}
