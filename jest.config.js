// Three projects so a developer can run the fast pure tests alone
// (`npm run test:unit`) while CI runs everything through scripts/test.sh.
const transform = { '^.+\\.ts$': ['ts-jest', {}] };
const common = {
  preset: undefined,
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/__tests__/unit/**/*.test.ts'] },
    { ...common, displayName: 'integration', testMatch: ['<rootDir>/__tests__/integration/**/*.test.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/__tests__/e2e/**/*.test.ts'] },
  ],
};
