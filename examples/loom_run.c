/* loom_run.c - run a model compiled by `loomc compile` from C.
 *
 * Build against any compiled model (its header and its library):
 *
 *   loomc compile resnet18.onnx -o libresnet18.so       # + resnet18.h
 *   cc -O2 -I. -DLOOM_MODEL_HEADER='"resnet18.h"' examples/loom_run.c \
 *      -L. -lresnet18 -Wl,-rpath,'$ORIGIN' -o loom_run
 *   ./loom_run x.npy -o out/ [--threads K] [--benchmark N]
 *
 * Inputs are NumPy .npy files (little-endian, C order), one per model input
 * in order; every output is written as OUTDIR/<output name>.npy. With
 * --benchmark N it runs N more times and prints the median and minimum
 * latency. It uses only the C API of the header: no MLIR, no Python. */

/* Any compiled model's header: each holds the whole API. */
#ifndef LOOM_MODEL_HEADER
#define LOOM_MODEL_HEADER "loom_model.h"
#endif
#include LOOM_MODEL_HEADER

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
  const char *descr;
  int32_t dtype;
} kDescrs[] = {{"<f4", LOOM_FLOAT32}, {"<f8", LOOM_FLOAT64},
               {"<f2", LOOM_FLOAT16}, {"|i1", LOOM_INT8},
               {"|u1", LOOM_UINT8},   {"<i2", LOOM_INT16},
               {"<u2", LOOM_UINT16},  {"<i4", LOOM_INT32},
               {"<u4", LOOM_UINT32},  {"<i8", LOOM_INT64},
               {"<u8", LOOM_UINT64},  {"|b1", LOOM_BOOL}};

static int fail(const char *what, const char *why) {
  fprintf(stderr, "loom_run: %s: %s\n", what, why);
  return 1;
}

/* Reads a version 1 or 2 .npy file into `tensor` (malloc'ed data). */
static int read_npy(const char *path, loom_tensor *tensor) {
  FILE *file = fopen(path, "rb");
  if (!file)
    return fail(path, "cannot open");
  unsigned char magic[10];
  if (fread(magic, 1, 8, file) != 8 || memcmp(magic, "\x93NUMPY", 6) != 0) {
    fclose(file);
    return fail(path, "not a .npy file");
  }
  size_t header_length = 0;
  if (magic[6] == 1) {
    unsigned char b[2];
    if (fread(b, 1, 2, file) != 2) {
      fclose(file);
      return fail(path, "truncated");
    }
    header_length = b[0] | (size_t)b[1] << 8;
  } else {
    unsigned char b[4];
    if (fread(b, 1, 4, file) != 4) {
      fclose(file);
      return fail(path, "truncated");
    }
    header_length = b[0] | (size_t)b[1] << 8 | (size_t)b[2] << 16 |
                    (size_t)b[3] << 24;
  }
  char *header = calloc(1, header_length + 1);
  if (!header || fread(header, 1, header_length, file) != header_length) {
    free(header);
    fclose(file);
    return fail(path, "truncated header");
  }
  memset(tensor, 0, sizeof *tensor);
  const char *descr = strstr(header, "'descr':");
  const char *order = strstr(header, "'fortran_order':");
  const char *shape = strstr(header, "'shape':");
  if (!descr || !order || !shape || strstr(order, "True") == order + 17) {
    free(header);
    fclose(file);
    return fail(path, "unsupported header (C order only)");
  }
  for (size_t i = 0; i < sizeof kDescrs / sizeof kDescrs[0]; ++i)
    if (strstr(descr, kDescrs[i].descr) == strchr(descr + 8, '\'') + 1)
      tensor->dtype = kDescrs[i].dtype;
  const char *at = strchr(shape, '(');
  size_t elements = 1;
  while (at && *at && *at != ')') {
    ++at;
    char *end;
    long long size = strtoll(at, &end, 10);
    if (end == at)
      break;
    if (tensor->rank == LOOM_MAX_RANK || size < 0) {
      free(header);
      fclose(file);
      return fail(path, "shape not supported");
    }
    tensor->shape[tensor->rank++] = size;
    elements *= (size_t)size;
    at = end;
    while (*at == ' ')
      ++at;
  }
  free(header);
  if (!tensor->dtype) {
    fclose(file);
    return fail(path, "dtype not supported");
  }
  tensor->bytes = elements * loom_dtype_size(tensor->dtype);
  tensor->data = malloc(tensor->bytes ? tensor->bytes : 1);
  if (!tensor->data || fread(tensor->data, 1, tensor->bytes, file) !=
                           tensor->bytes) {
    fclose(file);
    return fail(path, "truncated data");
  }
  fclose(file);
  return 0;
}

static int write_npy(const char *path, const loom_tensor *tensor) {
  const char *descr = NULL;
  for (size_t i = 0; i < sizeof kDescrs / sizeof kDescrs[0]; ++i)
    if (kDescrs[i].dtype == tensor->dtype)
      descr = kDescrs[i].descr;
  if (!descr)
    return fail(path, "dtype not supported");
  char header[256];
  int length = snprintf(header, sizeof header,
                        "{'descr': '%s', 'fortran_order': False, 'shape': (",
                        descr);
  for (int d = 0; d < tensor->rank; ++d)
    length += snprintf(header + length, sizeof header - length, "%lld%s",
                       (long long)tensor->shape[d],
                       tensor->rank == 1 ? "," : d + 1 < tensor->rank ? ", " : "");
  length += snprintf(header + length, sizeof header - length, "), }");
  int padded = (10 + length + 1 + 63) / 64 * 64 - 10;
  memset(header + length, ' ', padded - length - 1);
  header[padded - 1] = '\n';
  FILE *file = fopen(path, "wb");
  if (!file)
    return fail(path, "cannot write");
  unsigned char prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                              (unsigned char)(padded & 0xff),
                              (unsigned char)(padded >> 8)};
  int ok = fwrite(prefix, 1, 10, file) == 10 &&
           fwrite(header, 1, padded, file) == (size_t)padded &&
           fwrite(tensor->data, 1, tensor->bytes, file) == tensor->bytes;
  ok &= fclose(file) == 0;
  return ok ? 0 : fail(path, "write failed");
}

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int compare(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  const char *out_dir = NULL, *weights = NULL;
  int threads = 0, runs = 0, num_paths = 0;
  const char **paths = calloc(argc, sizeof *paths);
  for (int i = 1; i < argc; ++i) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc)
      out_dir = argv[++i];
    else if (!strcmp(argv[i], "--threads") && i + 1 < argc)
      threads = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--benchmark") && i + 1 < argc)
      runs = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--weights") && i + 1 < argc)
      weights = argv[++i];
    else
      paths[num_paths++] = argv[i];
  }
  loom_model *model = loom_model_create(weights);
  if (!model)
    return fail("create", loom_last_error());
  int num_inputs = loom_model_num_inputs(model);
  int num_outputs = loom_model_num_outputs(model);
  if (num_paths != num_inputs) {
    fprintf(stderr, "usage: loom_run INPUT.npy x %d -o OUTDIR [--threads K] "
                    "[--benchmark N]\n", num_inputs);
    for (int i = 0; i < num_inputs; ++i) {
      const char *name;
      int32_t dtype, rank;
      const int64_t *shape;
      loom_model_input(model, i, &name, &dtype, &rank, &shape);
      fprintf(stderr, "  input %s: %s, rank %d\n", name,
              loom_dtype_name(dtype), rank);
    }
    return 2;
  }
  loom_tensor *inputs = calloc(num_inputs + 1, sizeof *inputs);
  loom_tensor *outputs = calloc(num_outputs + 1, sizeof *outputs);
  for (int i = 0; i < num_inputs; ++i)
    if (read_npy(paths[i], &inputs[i]))
      return 1;
  if (loom_model_set_threads(model, threads) != 0)
    return fail("threads", loom_last_error());
  if (loom_model_run(model, inputs, num_inputs, outputs, num_outputs) != 0)
    return fail("run", loom_last_error());
  for (int o = 0; o < num_outputs; ++o) {
    const char *name;
    loom_model_output(model, o, &name, NULL, NULL, NULL);
    if (out_dir) {
      char path[4096];
      snprintf(path, sizeof path, "%s/%s.npy", out_dir, name);
      for (char *c = path + strlen(out_dir) + 1; *c; ++c)
        if (!(*c == '.' || *c == '_' || *c == '-' || (*c >= '0' && *c <= '9') ||
              (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')))
          *c = '_';
      if (write_npy(path, &outputs[o]))
        return 1;
    } else {
      printf("%s: %s [", name, loom_dtype_name(outputs[o].dtype));
      for (int d = 0; d < outputs[o].rank; ++d)
        printf("%s%lld", d ? ", " : "", (long long)outputs[o].shape[d]);
      printf("]\n");
    }
  }
  if (runs > 0) {
    /* The outputs' buffers are reused: no allocation in the timed loop
     * other than the model's own intermediates. */
    double *times = calloc(runs, sizeof *times);
    for (int r = 0; r < runs; ++r) {
      double start = now_ms();
      if (loom_model_run(model, inputs, num_inputs, outputs, num_outputs) != 0)
        return fail("run", loom_last_error());
      times[r] = now_ms() - start;
    }
    qsort(times, runs, sizeof *times, compare);
    double median = runs % 2 ? times[runs / 2]
                             : (times[runs / 2 - 1] + times[runs / 2]) / 2;
    printf("benchmark: %d runs, median %.3f ms, min %.3f ms\n", runs, median,
           times[0]);
    free(times);
  }
  for (int o = 0; o < num_outputs; ++o)
    loom_tensor_free(&outputs[o]);
  for (int i = 0; i < num_inputs; ++i)
    free(inputs[i].data);
  free(inputs);
  free(outputs);
  free((void *)paths);
  loom_model_destroy(model);
  return 0;
}
