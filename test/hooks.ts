// Mocha root hooks: build the migrated template database once, drop every test database at the end.
import { buildTemplate, dropAllTestDatabases } from './support/database.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    await buildTemplate();
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await dropAllTestDatabases();
  },
};
