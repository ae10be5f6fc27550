/*===- loom_model_runtime.c - the C API inside every compiled model -------===
 *
 * `loomc compile` links this file (compiled once when Loom is built, kept
 * inside loomc) with the model's object code. The object code provides one
 * `loom_rt_library` (see below) and `NAME_create`, which calls
 * loom_rt_create; everything else is here. Compiled with -fvisibility=hidden:
 * only the functions of loom_model.h are exported.
 *
 * The model's entry is MLIR's packed calling convention: one array of
 * pointers, one per scalar of every argument's memref descriptor
 * (allocated, aligned, offset, sizes[rank], strides[rank]), then one to the
 * struct of the results' descriptors. Every field is 8 bytes, so
 * descriptors are arrays of int64_t. Results are buffers the code
 * allocated with malloc, handed to the caller (MLIR's ownership-based
 * deallocation); a result may also be an input or a weight, never freed.
 *
 * The metadata (written by lib/Target/CPU/SharedLibrary.cpp), little-endian:
 *   "LOOMMETA" u32:abi  str:name  i32:default_threads
 *   u32:n_inputs  { str:name i32:dtype u32:rank i64:dims[rank] }
 *   u32:n_outputs { the same }
 *   u32:n_args    { i32:input (-1: a weight) u32:rank i64:dims[rank]
 *                   u64:offset u64:bytes }
 *   u64:weights_size u64:weights_id str:weights_file
 * (str: u32 length, then the bytes). The side file of weights: a 64-byte
 * header ("LOOMWGT1", u64 id, u64 size, zeros) then the weights, each at a
 * 64-byte aligned offset.
 *===----------------------------------------------------------------------===*/

#define _GNU_SOURCE
#include "loom_model.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOOM_EXPORT __attribute__((visibility("default")))
#define LOOM_MODEL_MAGIC 0x4c4f4f4d4d4f444cull /* "LOOMMODL" */

/* What the compiled object code provides (built in LLVM IR by
 * lib/Target/CPU/SharedLibrary.cpp: keep the two in step). */
typedef struct loom_rt_library {
  uint32_t abi;
  uint32_t reserved;
  const uint8_t *meta;
  uint64_t meta_size;
  void (*entry)(void **);
  const uint8_t *weights; /* NULL: in a side file */
  uint64_t weights_size;
} loom_rt_library;

/* OpenMP's, when the library was linked with libomp. */
extern void omp_set_num_threads(int) __attribute__((weak));
/* The memref.copy of strided buffers that compiled code calls. */
void memrefCopy(int64_t element_bytes, void *source, void *target);

typedef struct loom_rt_tensor {
  char *name;
  int32_t dtype;
  int32_t rank;
  int64_t *shape;
} loom_rt_tensor;

typedef struct loom_rt_argument {
  int32_t input;
  int32_t rank;
  int64_t *shape;
  uint64_t offset, bytes;
} loom_rt_argument;

struct loom_model {
  uint64_t magic;
  uint32_t abi;
  int threads;
  int default_threads;
  const loom_rt_library *library;
  char *name;
  int num_inputs, num_outputs, num_args;
  loom_rt_tensor *inputs, *outputs;
  loom_rt_argument *args;
  const uint8_t *weights;
  uint64_t weights_size;
  void *mapping; /* the side file's mapping, or NULL */
  size_t mapping_size;
  size_t descriptor_words, result_words;
#ifdef LOOM_RUNTIME_CUDA
  int device;                   /* the CUDA device ordinal */
  void *context;                /* its primary context */
  unsigned long long device_weights; /* the weights, uploaded at create */
#endif
};

#ifdef LOOM_RUNTIME_CUDA
/* In loom_cuda_runtime.inc. */
static void cuda_release(loom_model *model);
static int cuda_prepare(loom_model *model);
static void cuda_free_device(void *pointer);
#endif

static __thread char last_error[1024];

/* The model code's buffers. The compiled code's malloc, aligned_alloc and
 * free are renamed to loom_rt_malloc, loom_rt_aligned_alloc and
 * loom_rt_free (SharedLibrary.cpp), so that the large temporaries a run
 * frees (im2col panels, activations) are kept for the next run instead of
 * going back to the kernel: glibc maps blocks over 128 KiB afresh and the
 * kernel zeroes every page on first touch, which was 15% of a ResNet-18
 * run. A block has a header (its size and the header's) just before the
 * pointer handed out; the cache holds up to LOOM_CACHE_SLOTS blocks of at
 * least LOOM_CACHE_MIN bytes, LOOM_CACHE_MAX_BYTES in all, reused for the
 * same size and alignment, and is emptied when a model is destroyed. */
#define LOOM_CACHE_SLOTS 128
#define LOOM_CACHE_MIN ((size_t)64 << 10)
#define LOOM_CACHE_MAX_BYTES ((size_t)2 << 30)
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
  void *base;
  size_t total, header;
} cache[LOOM_CACHE_SLOTS];
static int cache_count;
static size_t cache_bytes;

static void *rt_alloc(size_t alignment, size_t size) {
  if (alignment < 64)
    alignment = 64;
  size_t header = alignment;
  if (size > SIZE_MAX - 2 * header)
    return NULL;
  size_t total = (header + size + alignment - 1) / alignment * alignment;
  void *base = NULL;
  if (size >= LOOM_CACHE_MIN) {
    pthread_mutex_lock(&cache_lock);
    for (int i = 0; i < cache_count; ++i)
      if (cache[i].total == total && cache[i].header == header) {
        base = cache[i].base;
        cache_bytes -= total;
        cache[i] = cache[--cache_count];
        break;
      }
    pthread_mutex_unlock(&cache_lock);
  }
  if (!base)
    base = aligned_alloc(alignment, total);
  if (!base)
    return NULL;
  size_t *user = (size_t *)((char *)base + header);
  user[-1] = total;
  user[-2] = header;
  return user;
}

void *loom_rt_malloc(size_t size) { return rt_alloc(16, size); }

void *loom_rt_aligned_alloc(size_t alignment, size_t size) {
  return rt_alloc(alignment, size);
}

void loom_rt_free(void *pointer) {
  if (!pointer)
    return;
  size_t total = ((size_t *)pointer)[-1], header = ((size_t *)pointer)[-2];
  void *base = (char *)pointer - header;
  if (total - header >= LOOM_CACHE_MIN) {
    pthread_mutex_lock(&cache_lock);
    if (cache_count < LOOM_CACHE_SLOTS &&
        cache_bytes + total <= LOOM_CACHE_MAX_BYTES) {
      cache[cache_count].base = base;
      cache[cache_count].total = total;
      cache[cache_count].header = header;
      ++cache_count;
      cache_bytes += total;
      base = NULL;
    }
    pthread_mutex_unlock(&cache_lock);
  }
  free(base);
}

static void flush_buffer_cache(void) {
  pthread_mutex_lock(&cache_lock);
  for (int i = 0; i < cache_count; ++i)
    free(cache[i].base);
  cache_count = 0;
  cache_bytes = 0;
  pthread_mutex_unlock(&cache_lock);
}

static int fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  vsnprintf(last_error, sizeof last_error, format, args);
  va_end(args);
  return -1;
}

LOOM_EXPORT const char *loom_last_error(void) { return last_error; }

LOOM_EXPORT size_t loom_dtype_size(int32_t dtype) {
  switch (dtype) {
  case LOOM_UINT8: case LOOM_INT8: case LOOM_BOOL: return 1;
  case LOOM_UINT16: case LOOM_INT16: case LOOM_FLOAT16: case LOOM_BFLOAT16:
    return 2;
  case LOOM_FLOAT32: case LOOM_INT32: case LOOM_UINT32: return 4;
  case LOOM_INT64: case LOOM_FLOAT64: case LOOM_UINT64: return 8;
  default: return 0;
  }
}

LOOM_EXPORT const char *loom_dtype_name(int32_t dtype) {
  switch (dtype) {
  case LOOM_FLOAT32: return "float32";
  case LOOM_UINT8: return "uint8";
  case LOOM_INT8: return "int8";
  case LOOM_UINT16: return "uint16";
  case LOOM_INT16: return "int16";
  case LOOM_INT32: return "int32";
  case LOOM_INT64: return "int64";
  case LOOM_BOOL: return "bool";
  case LOOM_FLOAT16: return "float16";
  case LOOM_FLOAT64: return "float64";
  case LOOM_UINT32: return "uint32";
  case LOOM_UINT64: return "uint64";
  case LOOM_BFLOAT16: return "bfloat16";
  default: return "unknown";
  }
}

/*--- reading the metadata ------------------------------------------------*/

typedef struct reader {
  const uint8_t *at, *end;
  int bad;
} reader;

static int take(reader *r, void *out, size_t size) {
  if (r->bad || (size_t)(r->end - r->at) < size) {
    r->bad = 1;
    memset(out, 0, size);
    return 0;
  }
  memcpy(out, r->at, size);
  r->at += size;
  return 1;
}
static uint32_t take_u32(reader *r) {
  uint32_t v;
  take(r, &v, sizeof v);
  return v;
}
static uint64_t take_u64(reader *r) {
  uint64_t v;
  take(r, &v, sizeof v);
  return v;
}
static char *take_string(reader *r) {
  uint32_t length = take_u32(r);
  if (r->bad || (size_t)(r->end - r->at) < length) {
    r->bad = 1;
    return NULL;
  }
  char *text = malloc(length + 1);
  if (!text) {
    r->bad = 1;
    return NULL;
  }
  memcpy(text, r->at, length);
  text[length] = 0;
  r->at += length;
  return text;
}
static int64_t *take_dims(reader *r, uint32_t rank) {
  if (rank > 64) {
    r->bad = 1;
    return NULL;
  }
  int64_t *dims = calloc(rank ? rank : 1, sizeof(int64_t));
  if (!dims) {
    r->bad = 1;
    return NULL;
  }
  take(r, dims, rank * sizeof(int64_t));
  return dims;
}
static loom_rt_tensor *take_tensors(reader *r, int *count) {
  uint32_t n = take_u32(r);
  if (r->bad || n > 1u << 20) {
    r->bad = 1;
    return NULL;
  }
  *count = (int)n;
  loom_rt_tensor *tensors = calloc(n ? n : 1, sizeof *tensors);
  if (!tensors) {
    r->bad = 1;
    return NULL;
  }
  for (uint32_t i = 0; i < n && !r->bad; ++i) {
    tensors[i].name = take_string(r);
    tensors[i].dtype = (int32_t)take_u32(r);
    tensors[i].rank = (int32_t)take_u32(r);
    tensors[i].shape = take_dims(r, (uint32_t)tensors[i].rank);
  }
  return tensors;
}

static void free_tensors(loom_rt_tensor *tensors, int count) {
  if (!tensors)
    return;
  for (int i = 0; i < count; ++i) {
    free(tensors[i].name);
    free(tensors[i].shape);
  }
  free(tensors);
}

LOOM_EXPORT void loom_model_destroy(loom_model *model) {
  if (!model || model->magic != LOOM_MODEL_MAGIC)
    return;
  free_tensors(model->inputs, model->num_inputs);
  free_tensors(model->outputs, model->num_outputs);
  if (model->args)
    for (int i = 0; i < model->num_args; ++i)
      free(model->args[i].shape);
  free(model->args);
  free(model->name);
  if (model->mapping)
    munmap(model->mapping, model->mapping_size);
#ifdef LOOM_RUNTIME_CUDA
  cuda_release(model);
#endif
  model->magic = 0;
  free(model);
  flush_buffer_cache();
}

/* Maps the side file of weights: `path`, or the library's own folder plus
 * `file`. */
static int map_weights(loom_model *model, const char *path, const char *file,
                       uint64_t size, uint64_t id) {
  char found[4096];
  if (!path || !*path) {
    Dl_info info;
    if (!dladdr((const void *)model->library, &info) || !info.dli_fname)
      return fail("loom: cannot find the library's folder to look for its "
                  "weights '%s'; give their path",
                  file);
    const char *slash = strrchr(info.dli_fname, '/');
    int folder = slash ? (int)(slash - info.dli_fname) + 1 : 0;
    if (snprintf(found, sizeof found, "%.*s%s", folder, info.dli_fname, file) >=
        (int)sizeof found)
      return fail("loom: the path of the weights file is too long");
    path = found;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail("%s: cannot open the model's weights: %s", path,
                strerror(errno));
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return fail("%s: not a file of weights", path);
  }
  if ((uint64_t)st.st_size != size + 64) {
    close(fd);
    return fail("%s: holds %lld bytes, the model's weights are %llu: not this "
                "model's weights, or a truncated file",
                path, (long long)st.st_size, (unsigned long long)size + 64);
  }
  void *mapping = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close(fd);
  if (mapping == MAP_FAILED)
    return fail("%s: cannot map the weights: %s", path, strerror(errno));
  const uint8_t *header = mapping;
  uint64_t file_id, file_size;
  memcpy(&file_id, header + 8, 8);
  memcpy(&file_size, header + 16, 8);
  if (memcmp(header, "LOOMWGT1", 8) != 0 || file_id != id || file_size != size) {
    munmap(mapping, (size_t)st.st_size);
    return fail("%s: not the weights this library was compiled with", path);
  }
  model->mapping = mapping;
  model->mapping_size = (size_t)st.st_size;
  model->weights = header + 64;
  return 0;
}

/* Called by NAME_create in the compiled object code. */
loom_model *loom_rt_create(const loom_rt_library *library,
                           const char *weights_path) {
  last_error[0] = 0;
  if (!library || library->abi != LOOM_ABI_VERSION) {
    fail("loom: the library's code and runtime disagree (ABI %u, expected "
         "%u)",
         library ? library->abi : 0u, (unsigned)LOOM_ABI_VERSION);
    return NULL;
  }
  loom_model *model = calloc(1, sizeof *model);
  if (!model) {
    fail("loom: out of memory");
    return NULL;
  }
  model->magic = LOOM_MODEL_MAGIC;
  model->abi = LOOM_ABI_VERSION;
  model->library = library;
  reader r = {library->meta, library->meta + library->meta_size, 0};
  char magic[8];
  take(&r, magic, 8);
  uint32_t abi = take_u32(&r);
  if (r.bad || memcmp(magic, "LOOMMETA", 8) != 0 || abi != LOOM_ABI_VERSION) {
    fail("loom: the library's model description is not readable");
    loom_model_destroy(model);
    return NULL;
  }
  model->name = take_string(&r);
  model->default_threads = (int)take_u32(&r);
  model->inputs = take_tensors(&r, &model->num_inputs);
  model->outputs = take_tensors(&r, &model->num_outputs);
  uint32_t num_args = take_u32(&r);
  if (r.bad || num_args > 1u << 24) {
    fail("loom: the library's model description is not readable");
    loom_model_destroy(model);
    return NULL;
  }
  model->num_args = (int)num_args;
  model->args = calloc(num_args ? num_args : 1, sizeof *model->args);
  if (!model->args) {
    fail("loom: out of memory");
    loom_model_destroy(model);
    return NULL;
  }
  for (uint32_t i = 0; i < num_args && !r.bad; ++i) {
    loom_rt_argument *arg = &model->args[i];
    arg->input = (int32_t)take_u32(&r);
    arg->rank = (int32_t)take_u32(&r);
    arg->shape = take_dims(&r, (uint32_t)arg->rank);
    arg->offset = take_u64(&r);
    arg->bytes = take_u64(&r);
  }
  uint64_t weights_size = take_u64(&r);
  uint64_t weights_id = take_u64(&r);
  char *weights_file = take_string(&r);
  if (r.bad) {
    free(weights_file);
    fail("loom: the library's model description is not readable");
    loom_model_destroy(model);
    return NULL;
  }
  model->weights_size = weights_size;
  int status = 0;
  if (library->weights) {
    model->weights = library->weights;
    if (library->weights_size != weights_size)
      status = fail("loom: the library's embedded weights are damaged");
  } else if (weights_size > 0) {
    status = map_weights(model, weights_path, weights_file, weights_size,
                         weights_id);
  }
  free(weights_file);
  for (int i = 0; status == 0 && i < model->num_args; ++i) {
    const loom_rt_argument *arg = &model->args[i];
    if (arg->input >= model->num_inputs ||
        (arg->input < 0 && (arg->offset > weights_size ||
                            arg->bytes > weights_size - arg->offset)))
      status = fail("loom: the library's model description is not readable");
  }
  for (int i = 0; status == 0 && i < model->num_outputs; ++i)
    if (model->outputs[i].rank > LOOM_MAX_RANK)
      status = fail("loom: output '%s' has rank %d, more than the API's %d",
                    model->outputs[i].name, model->outputs[i].rank,
                    LOOM_MAX_RANK);
  if (status != 0) {
    loom_model_destroy(model);
    return NULL;
  }
  for (int i = 0; i < model->num_args; ++i)
    model->descriptor_words += 3 + 2 * (size_t)model->args[i].rank;
  for (int i = 0; i < model->num_outputs; ++i)
    model->result_words += 3 + 2 * (size_t)model->outputs[i].rank;
#ifdef LOOM_RUNTIME_CUDA
  if (cuda_prepare(model) != 0) {
    loom_model_destroy(model);
    return NULL;
  }
#endif
  return model;
}

static int check_model(const loom_model *model) {
  if (!model)
    return fail("loom: the model is NULL");
  if (model->magic != LOOM_MODEL_MAGIC || model->abi != LOOM_ABI_VERSION)
    return fail("loom: not a model of this Loom runtime (ABI %d)",
                LOOM_ABI_VERSION);
  return 0;
}

LOOM_EXPORT int loom_model_num_inputs(const loom_model *model) {
  return check_model(model) ? -1 : model->num_inputs;
}
LOOM_EXPORT int loom_model_num_outputs(const loom_model *model) {
  return check_model(model) ? -1 : model->num_outputs;
}

static int describe(const loom_rt_tensor *tensors, int count, int index,
                    const char *what, const char **name, int32_t *dtype,
                    int32_t *rank, const int64_t **shape) {
  if (index < 0 || index >= count)
    return fail("loom: no %s %d (the model has %d)", what, index, count);
  if (name)
    *name = tensors[index].name;
  if (dtype)
    *dtype = tensors[index].dtype;
  if (rank)
    *rank = tensors[index].rank;
  if (shape)
    *shape = tensors[index].shape;
  return 0;
}

LOOM_EXPORT int loom_model_input(const loom_model *model, int index,
                                 const char **name, int32_t *dtype,
                                 int32_t *rank, const int64_t **shape) {
  if (check_model(model))
    return -1;
  return describe(model->inputs, model->num_inputs, index, "input", name,
                  dtype, rank, shape);
}

LOOM_EXPORT int loom_model_output(const loom_model *model, int index,
                                  const char **name, int32_t *dtype,
                                  int32_t *rank, const int64_t **shape) {
  if (check_model(model))
    return -1;
  return describe(model->outputs, model->num_outputs, index, "output", name,
                  dtype, rank, shape);
}

LOOM_EXPORT int loom_model_set_threads(loom_model *model, int threads) {
  if (check_model(model))
    return -1;
  if (threads < 0)
    return fail("loom: %d threads", threads);
  model->threads = threads;
  return 0;
}

LOOM_EXPORT void loom_tensor_free(loom_tensor *tensor) {
  if (!tensor || !tensor->owned)
    return;
#ifdef LOOM_RUNTIME_CUDA
  if (tensor->owned == 2)
    cuda_free_device(tensor->data);
  else
#endif
    free(tensor->data);
  tensor->data = NULL;
  tensor->bytes = 0;
  tensor->owned = 0;
}

#ifndef LOOM_RUNTIME_CUDA
/*--- copying strided results --------------------------------------------*/

static void copy_strided(char *dst, const int64_t *dst_strides,
                         const char *src, const int64_t *src_strides,
                         const int64_t *sizes, int64_t rank,
                         size_t element_bytes) {
  if (rank == 0) {
    memcpy(dst, src, element_bytes);
    return;
  }
  if (rank == 1 && dst_strides[0] == 1 && src_strides[0] == 1) {
    memcpy(dst, src, (size_t)sizes[0] * element_bytes);
    return;
  }
  for (int64_t i = 0; i < sizes[0]; ++i) {
    char *to = dst + i * dst_strides[0] * (int64_t)element_bytes;
    const char *from = src + i * src_strides[0] * (int64_t)element_bytes;
    if (rank == 1)
      memcpy(to, from, element_bytes);
    else
      copy_strided(to, dst_strides + 1, from, src_strides + 1, sizes + 1,
                   rank - 1, element_bytes);
  }
}

typedef struct unranked_memref {
  int64_t rank;
  int64_t *descriptor;
} unranked_memref;

/* Hidden (the default here): each library calls its own. */
void memrefCopy(int64_t element_bytes, void *source_, void *target_) {
  const unranked_memref *source = source_, *target = target_;
  int64_t rank = source->rank;
  const int64_t *s = source->descriptor, *t = target->descriptor;
  for (int64_t d = 0; d < rank; ++d)
    if (s[3 + d] == 0)
      return;
  char *from, *to;
  memcpy(&from, &s[1], sizeof from);
  memcpy(&to, &t[1], sizeof to);
  copy_strided(to + t[2] * element_bytes, t + 3 + rank,
               from + s[2] * element_bytes, s + 3 + rank, s + 3, rank,
               (size_t)element_bytes);
}

#endif /* !LOOM_RUNTIME_CUDA */

/*--- running -------------------------------------------------------------*/

/* Elements of a shape, or -1 on overflow or a negative dimension. */
static int64_t count_elements(const int64_t *shape, int rank) {
  int64_t count = 1;
  for (int d = 0; d < rank; ++d) {
    if (shape[d] < 0)
      return -1;
    if (shape[d] != 0 && count > INT64_MAX / shape[d])
      return -1;
    count *= shape[d];
  }
  return count;
}

static void put_pointer(int64_t *word, const void *pointer) {
  memcpy(word, &pointer, sizeof pointer);
}

static int check_input(const loom_rt_tensor *want, const loom_tensor *given) {
  if (given->dtype != want->dtype)
    return fail("loom: input '%s': expected %s, got %s", want->name,
                loom_dtype_name(want->dtype), loom_dtype_name(given->dtype));
  if (given->rank != want->rank)
    return fail("loom: input '%s': expected rank %d, got %d", want->name,
                want->rank, given->rank);
  for (int d = 0; d < want->rank; ++d)
    if (given->shape[d] < 0 ||
        (want->shape[d] >= 0 && given->shape[d] != want->shape[d]))
      return fail("loom: input '%s': dimension %d is %lld, expected %lld",
                  want->name, d, (long long)given->shape[d],
                  (long long)want->shape[d]);
  int64_t elements = count_elements(given->shape, given->rank);
  if (elements < 0)
    return fail("loom: input '%s': its shape overflows", want->name);
  uint64_t needed = (uint64_t)elements * loom_dtype_size(want->dtype);
  if (given->bytes < needed)
    return fail("loom: input '%s': %llu bytes given, its shape needs %llu",
                want->name, (unsigned long long)given->bytes,
                (unsigned long long)needed);
  if (!given->data && needed > 0)
    return fail("loom: input '%s': no data", want->name);
  return 0;
}

#ifdef LOOM_RUNTIME_CUDA
#include "loom_cuda_runtime.inc"
#else
LOOM_EXPORT int loom_model_run_device(loom_model *model,
                                      const loom_tensor *inputs,
                                      int num_inputs, loom_tensor *outputs,
                                      int num_outputs, void *stream) {
  (void)inputs, (void)num_inputs, (void)outputs, (void)num_outputs,
      (void)stream;
  if (check_model(model))
    return -1;
  return fail("loom: this library was compiled for the CPU (loomc compile "
              "--target=cpu); device runs need --target=cuda");
}

LOOM_EXPORT int loom_model_run(loom_model *model, const loom_tensor *inputs,
                               int num_inputs, loom_tensor *outputs,
                               int num_outputs) {
  if (check_model(model))
    return -1;
  if (num_inputs != model->num_inputs || (num_inputs > 0 && !inputs))
    return fail("loom: the model takes %d inputs, %d given", model->num_inputs,
                num_inputs);
  if (num_outputs != model->num_outputs || (num_outputs > 0 && !outputs))
    return fail("loom: the model has %d outputs, %d given", model->num_outputs,
                num_outputs);
  for (int i = 0; i < num_inputs; ++i)
    if (check_input(&model->inputs[i], &inputs[i]))
      return -1;

  size_t words_count = model->descriptor_words + model->result_words;
  int64_t *words = calloc(words_count ? words_count : 1, sizeof(int64_t));
  void **packed = malloc((model->descriptor_words + 1) * sizeof(void *));
  if (!words || !packed) {
    free(words);
    free(packed);
    return fail("loom: out of memory");
  }
  size_t at = 0, slot = 0;
  for (int a = 0; a < model->num_args; ++a) {
    const loom_rt_argument *arg = &model->args[a];
    const void *data;
    const int64_t *shape;
    if (arg->input >= 0) {
      data = inputs[arg->input].data;
      shape = inputs[arg->input].shape;
    } else {
      data = model->weights + arg->offset;
      shape = arg->shape;
    }
    int64_t *descriptor = words + at;
    put_pointer(&descriptor[0], data);
    put_pointer(&descriptor[1], data);
    descriptor[2] = 0;
    int64_t stride = 1;
    for (int d = arg->rank - 1; d >= 0; --d) {
      descriptor[3 + d] = shape[d];
      descriptor[3 + arg->rank + d] = stride;
      stride *= shape[d];
    }
    for (int w = 0; w < 3 + 2 * arg->rank; ++w)
      packed[slot++] = &descriptor[w];
    at += 3 + 2 * (size_t)arg->rank;
  }
  if (model->num_outputs > 0)
    packed[slot] = words + model->descriptor_words;

  int threads = model->threads > 0 ? model->threads : model->default_threads;
  if (threads > 0 && omp_set_num_threads)
    omp_set_num_threads(threads);
  model->library->entry(packed);

  /* Copy every output before freeing any buffer: outputs may share one. */
  int status = 0;
  at = model->descriptor_words;
  for (int o = 0; o < model->num_outputs; ++o) {
    const loom_rt_tensor *want = &model->outputs[o];
    loom_tensor *out = &outputs[o];
    const int64_t *descriptor = words + at;
    at += 3 + 2 * (size_t)want->rank;
    out->dtype = want->dtype;
    out->rank = want->rank;
    for (int d = 0; d < want->rank; ++d)
      out->shape[d] = descriptor[3 + d];
    if (status != 0)
      continue;
    int64_t elements = count_elements(descriptor + 3, want->rank);
    size_t element_bytes = loom_dtype_size(want->dtype);
    size_t needed = (size_t)elements * element_bytes;
    if (!out->data) {
      out->data = aligned_alloc(64, (needed + 63) / 64 * 64 + 64);
      if (!out->data) {
        status = fail("loom: output '%s': out of memory", want->name);
        continue;
      }
      out->bytes = needed;
      out->owned = 1;
    } else if (out->bytes < needed) {
      status = fail("loom: output '%s' needs %llu bytes, its buffer has %llu",
                    want->name, (unsigned long long)needed,
                    (unsigned long long)out->bytes);
      continue;
    }
    char *aligned;
    memcpy(&aligned, &descriptor[1], sizeof aligned);
    int64_t dense[LOOM_MAX_RANK];
    int64_t stride = 1;
    for (int d = want->rank - 1; d >= 0; --d) {
      dense[d] = stride;
      stride *= descriptor[3 + d];
    }
    if (elements > 0)
      copy_strided(out->data, dense,
                   aligned + descriptor[2] * (int64_t)element_bytes,
                   descriptor + 3 + want->rank, descriptor + 3, want->rank,
                   element_bytes);
  }
  /* Free each buffer the code allocated, once; never an input or a weight. */
  at = model->descriptor_words;
  for (int o = 0; o < model->num_outputs; ++o) {
    const int64_t *descriptor = words + at;
    at += 3 + 2 * (size_t)model->outputs[o].rank;
    char *allocated;
    memcpy(&allocated, &descriptor[0], sizeof allocated);
    if (!allocated)
      continue;
    int borrowed = (const uint8_t *)allocated >= model->weights &&
                   (const uint8_t *)allocated <
                       model->weights + model->weights_size;
    for (int i = 0; !borrowed && i < num_inputs; ++i)
      borrowed = allocated == (char *)inputs[i].data;
    size_t earlier = model->descriptor_words;
    for (int p = 0; !borrowed && p < o; ++p) {
      char *previous;
      memcpy(&previous, &words[earlier], sizeof previous);
      borrowed = previous == allocated;
      earlier += 3 + 2 * (size_t)model->outputs[p].rank;
    }
    if (!borrowed)
      loom_rt_free(allocated);
  }
  free(words);
  free(packed);
  return status;
}
#endif /* !LOOM_RUNTIME_CUDA */
