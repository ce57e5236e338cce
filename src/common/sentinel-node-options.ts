/**
 * The Node options the bundled sentinel is launched with, by the local runtime and in its image.
 *
 * A sentinel's heap is small and its garbage short-lived, but V8 lets the young generation grow
 * to 3 x 16 MB before it collects: at 100 masters that is ~20 MB of RSS per sentinel holding
 * garbage. A 4 MB semi-space keeps the RSS under 100 MB there; collecting on the main thread
 * (single-threaded GC) then costs no more CPU than the default parallel scavenges, whose helper
 * threads are pure overhead at this heap size. Measured with bench/sentinel-cost.ts (see
 * docs/benchmarks.md): 113 MB / 7.9 % of a core -> 94 MB / 7.9 %.
 */
export const SENTINEL_NODE_OPTIONS: readonly string[] = ['--max-semi-space-size=4', '--single-threaded-gc'];
