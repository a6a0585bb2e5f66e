// How many symbols one genome may trade when it comes through the API (POST /api/strategies, POST /api/backtests).
// A default that GENOME_MAX_SYMBOLS overrides (infrastructure/config). The daily cycle's genomes trade one to a few.
export const MAX_GENOME_SYMBOLS = 20;
