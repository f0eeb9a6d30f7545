/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
  globalSetup: '<rootDir>/test/globalSetup.ts',
  // A backstop above every scaled waitFor deadline (test/globalSetup.ts), which names what it waited for.
  testTimeout: 600000,
  maxWorkers: 2,
};
