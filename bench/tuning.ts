// What the configs were tuned for and what each setting bought, as measured with this bench. Written into
// BENCHMARKS.md verbatim (the figures quoted here are from the tuning runs named, not from the current run).
export const TUNING = `No setting has been changed for the benchmark yet.`;
