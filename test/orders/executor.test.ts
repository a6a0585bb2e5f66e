// The executor contract against the in-test venue (market and limit native; every other type emulated).
import { executorContract } from './executor-contract.js';
import { testVenue } from './test-venue.js';

executorContract('the in-test venue', () => testVenue());
