/* Runs one compiled model from four threads at once, ten times each, on one
 * handle (loom_model.h says loom_model_run is thread-safe), and checks every
 * output is bit-identical to a run alone. Prints "concurrent: N runs, M
 * mismatches". Input: float32 [batch, 16] filled with a fixed pattern. */
#include LOOM_MODEL_HEADER

#include <pthread.h>
#include <stdio.h>
#include <string.h>

enum { kThreads = 4, kRuns = 10, kBatch = 3, kIn = 16, kOut = 8 };

static loom_model *model;
static float input[kBatch * kIn], expected[kBatch * kOut];
static int mismatches, failures;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int run(float *out) {
  loom_tensor in = {.data = input, .bytes = sizeof input,
                    .dtype = LOOM_FLOAT32, .rank = 2, .shape = {kBatch, kIn}};
  loom_tensor result = {.data = out, .bytes = sizeof expected};
  return loom_model_run(model, &in, 1, &result, 1);
}

static void *worker(void *unused) {
  (void)unused;
  for (int r = 0; r < kRuns; ++r) {
    float out[kBatch * kOut];
    int status = run(out);
    pthread_mutex_lock(&lock);
    failures += status != 0;
    mismatches += status == 0 && memcmp(out, expected, sizeof out) != 0;
    pthread_mutex_unlock(&lock);
  }
  return NULL;
}

int main(void) {
  model = loom_model_create(NULL);
  if (!model) {
    fprintf(stderr, "create: %s\n", loom_last_error());
    return 1;
  }
  for (int i = 0; i < kBatch * kIn; ++i)
    input[i] = (float)((i * 37) % 11) / 7.0f - 0.5f;
  if (run(expected) != 0) {
    fprintf(stderr, "run: %s\n", loom_last_error());
    return 1;
  }
  pthread_t threads[kThreads];
  for (int t = 0; t < kThreads; ++t)
    pthread_create(&threads[t], NULL, worker, NULL);
  for (int t = 0; t < kThreads; ++t)
    pthread_join(threads[t], NULL);
  printf("concurrent: %d runs, %d mismatches, %d failures\n", kThreads * kRuns,
         mismatches, failures);
  loom_model_destroy(model);
  return mismatches || failures;
}
