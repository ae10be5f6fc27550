/*===- loom_model.h - the C API of a model compiled by loomc compile ------===
 *
 * A library made by `loomc compile MODEL --target=cpu -o libNAME.so` holds
 * one model: its code, its weights (in the library or in a side file next to
 * it, memory-mapped, never copied) and this API. It needs only libc, libm
 * and, when compiled for several threads, LLVM's OpenMP runtime libomp.so.5.
 *
 * A library made with --target=cuda runs the model on an NVIDIA GPU: its
 * kernels are embedded (a fatbin), it needs only libc where it is linked,
 * and opens the CUDA driver (libcuda.so.1) when a model is created, which
 * uploads the weights to the GPU once (LOOM_CUDA_DEVICE picks the GPU, 0 by
 * default). loom_model_run takes and returns host memory (copied to and
 * from the GPU, synchronously); loom_model_run_device takes device memory
 * and a CUDA stream and only enqueues the work.
 *
 *   loom_model *model = NAME_create(NULL);       // NULL: see loom_last_error()
 *   loom_tensor in = {.data = pixels, .bytes = sizeof pixels,
 *                     .dtype = LOOM_FLOAT32, .rank = 4,
 *                     .shape = {1, 3, 224, 224}};
 *   loom_tensor out = {0};                       // data NULL: Loom allocates
 *   if (loom_model_run(model, &in, 1, &out, 1) != 0) ... loom_last_error()
 *   ... out.data, out.shape ...
 *   loom_tensor_free(&out);
 *   loom_model_destroy(model);
 *
 * Threads: loom_model_run may be called from several threads at once on one
 * model; each call allocates its own intermediate buffers. A model is never
 * changed by running it; loom_model_set_threads and loom_model_destroy must
 * not race with runs on the same model.
 *
 * Every function other than NAME_create is the same in every Loom library
 * of this ABI version and works on a model from any of them (a model
 * remembers its own code and weights), so two compiled models may be linked
 * into one program. loom_model_create is the same as NAME_create, for
 * programs that open a library with dlopen and know only its file name; a
 * program that links several models must call each one's NAME_create.
 *===----------------------------------------------------------------------===*/

#ifndef LOOM_MODEL_H
#define LOOM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define LOOM_ABI_VERSION 1
/* The largest rank of an input or output. */
#define LOOM_MAX_RANK 8

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum loom_dtype {
  LOOM_FLOAT32 = 1,
  LOOM_UINT8 = 2,
  LOOM_INT8 = 3,
  LOOM_UINT16 = 4,
  LOOM_INT16 = 5,
  LOOM_INT32 = 6,
  LOOM_INT64 = 7,
  LOOM_BOOL = 9, /* one byte, 0 or 1 */
  LOOM_FLOAT16 = 10,
  LOOM_FLOAT64 = 11,
  LOOM_UINT32 = 12,
  LOOM_UINT64 = 13,
  LOOM_BFLOAT16 = 16
} loom_dtype;

typedef struct loom_model loom_model;

/* A dense, row-major tensor.
 * As an input: data, bytes (at least the elements' size), dtype, rank and
 * shape are read.
 * As an output: if data is NULL, loom_model_run allocates the elements
 * (64-byte aligned), sets data, bytes and owned = 1; free them with
 * loom_tensor_free. Otherwise data holds `bytes` bytes; if the output does
 * not fit, loom_model_run fails and still sets shape and rank, so that the
 * caller can retry with a larger buffer. dtype, rank and shape are set. */
typedef struct loom_tensor {
  void *data;
  size_t bytes;
  int32_t dtype;
  int32_t rank;
  int64_t shape[LOOM_MAX_RANK];
  int32_t owned;
} loom_tensor;

/* Opens the model (the generic name; see above). weights_path: the side
 * file of weights (loomc compile --weights=file); NULL looks for it next to
 * the library, under the name loomc gave it. A library with embedded
 * weights ignores it. Returns NULL on failure (loom_last_error says why). */
loom_model *loom_model_create(const char *weights_path);
/* Frees the model (NULL is allowed). Its weights are unmapped. */
void loom_model_destroy(loom_model *model);

/* The last failure's message on this thread ("" if none). */
const char *loom_last_error(void);

int loom_model_num_inputs(const loom_model *model);
int loom_model_num_outputs(const loom_model *model);
/* Describes input or output `index`: its name, dtype, rank and shape (-1
 * for a dimension given at run time, such as a dynamic batch). Any pointer
 * argument may be NULL. Returns 0, or -1 for a bad index. The strings and
 * shapes live as long as the model. */
int loom_model_input(const loom_model *model, int index, const char **name,
                     int32_t *dtype, int32_t *rank, const int64_t **shape);
int loom_model_output(const loom_model *model, int index, const char **name,
                      int32_t *dtype, int32_t *rank, const int64_t **shape);

/* Runs the model: inputs in the order of loom_model_input, every one given;
 * outputs likewise (see loom_tensor). Returns 0, or -1 with
 * loom_last_error() naming the input or output at fault. */
int loom_model_run(loom_model *model, const loom_tensor *inputs,
                   int num_inputs, loom_tensor *outputs, int num_outputs);

/* CUDA libraries: runs the model on `stream` (a CUstream; NULL: the legacy
 * default stream) with inputs and outputs in device memory (data holds a
 * CUdeviceptr). An output with data NULL gets device memory (owned = 2;
 * loom_tensor_free frees it). Returns once the work is enqueued: the outputs
 * are ready when the stream is. Returns -1 with loom_last_error() naming the
 * kernel (k<N>_<ONNX node>) when a launch fails; a fault inside a kernel
 * shows when the stream is synchronized (LOOM_CUDA_SYNC=1 synchronizes
 * after every kernel, to name it). A CPU library fails with a message. */
int loom_model_run_device(loom_model *model, const loom_tensor *inputs,
                          int num_inputs, loom_tensor *outputs,
                          int num_outputs, void *stream);

/* The threads later runs use (0: the default the library was compiled with,
 * or all cores; OMP_NUM_THREADS is honoured). Returns 0, or -1 for a
 * negative count. A library compiled for one thread ignores it. */
int loom_model_set_threads(loom_model *model, int threads);

/* Frees an output loom_model_run allocated (owned = 1), or device memory
 * loom_model_run_device allocated (owned = 2); else does nothing. */
void loom_tensor_free(loom_tensor *tensor);

/* Bytes per element of a dtype (0 for an unknown one), and its name. */
size_t loom_dtype_size(int32_t dtype);
const char *loom_dtype_name(int32_t dtype);

#ifdef __cplusplus
}
#endif

#endif /* LOOM_MODEL_H */
