/* fma_peak.c - this machine's fp32 FMA peak, for bench/cpu_latency.py.
 *
 * Twelve independent chains of 512-bit (AVX-512F) or 256-bit (AVX2+FMA)
 * fused multiply-adds per thread, enough to hide the FMA latency on the
 * ports; prints GFLOP/s for 1..T threads (2 flops per lane per FMA).
 *
 *   cc -O3 -march=native -pthread bench/fma_peak.c -o fma_peak
 * (-O3: at -O2 gcc keeps the accumulators in memory and measures a
 * third of the peak.)
 *   ./fma_peak 2      # -> "threads 1: 123.4 GFLOP/s" ... */
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define CHAINS 12
static const long kIterations = 100000000;

static double seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static float sink;

static void *spin(void *unused) {
  (void)unused;
#ifdef __AVX512F__
  __m512 acc[CHAINS], b = _mm512_set1_ps(0.999999f), c = _mm512_set1_ps(1e-7f);
  for (int k = 0; k < CHAINS; ++k)
    acc[k] = _mm512_set1_ps((float)k);
  for (long i = 0; i < kIterations; ++i)
    for (int k = 0; k < CHAINS; ++k)
      acc[k] = _mm512_fmadd_ps(acc[k], b, c);
  float total = 0;
  for (int k = 0; k < CHAINS; ++k)
    total += _mm512_reduce_add_ps(acc[k]);
#else
  __m256 acc[CHAINS], b = _mm256_set1_ps(0.999999f), c = _mm256_set1_ps(1e-7f);
  for (int k = 0; k < CHAINS; ++k)
    acc[k] = _mm256_set1_ps((float)k);
  for (long i = 0; i < kIterations; ++i)
    for (int k = 0; k < CHAINS; ++k)
      acc[k] = _mm256_fmadd_ps(acc[k], b, c);
  float lanes[8], total = 0;
  for (int k = 0; k < CHAINS; ++k) {
    _mm256_storeu_ps(lanes, acc[k]);
    for (int l = 0; l < 8; ++l)
      total += lanes[l];
  }
#endif
  sink += total;
  return NULL;
}

int main(int argc, char **argv) {
  int most = argc > 1 ? atoi(argv[1]) : 1;
#ifdef __AVX512F__
  const int lanes = 16;
  const char *isa = "AVX-512F";
#else
  const int lanes = 8;
  const char *isa = "AVX2+FMA";
#endif
  for (int threads = 1; threads <= most; ++threads) {
    pthread_t ids[64];
    double start = seconds();
    for (int t = 0; t < threads; ++t)
      pthread_create(&ids[t], NULL, spin, NULL);
    for (int t = 0; t < threads; ++t)
      pthread_join(ids[t], NULL);
    double elapsed = seconds() - start;
    double flops = 2.0 * lanes * CHAINS * (double)kIterations * threads;
    printf("threads %d: %.1f GFLOP/s (%s)\n", threads, flops / elapsed / 1e9,
           isa);
  }
  return sink == 12345.0f;
}
