/* A stand-in for the CUDA driver (libcuda.so.1) for tests on machines with
 * no GPU: device memory is host memory, kernels are not run, and what the
 * library under test asked for is counted and printed at exit:
 *   fake-cuda: K launches (N named), A allocations, F frees, M module loads
 * Kernel names come from cuModuleGetFunction. FAKE_CUDA_FAIL_LAUNCH=N makes
 * the Nth launch fail (CUDA_ERROR_LAUNCH_FAILED, 719). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long long CUdeviceptr;
static int launches, allocations, frees, loads, fail_at = -1;

__attribute__((destructor)) static void report(void) {
  fprintf(stderr, "fake-cuda: %d launches, %d allocations, %d frees, %d module loads\n",
          launches, allocations, frees, loads);
}

int cuInit(unsigned flags) {
  (void)flags;
  const char *fail = getenv("FAKE_CUDA_FAIL_LAUNCH");
  if (fail)
    fail_at = atoi(fail);
  return 0;
}
int cuDeviceGetCount(int *count) { *count = 1; return 0; }
int cuDeviceGet(int *device, int ordinal) { *device = ordinal; return 0; }
int cuDeviceGetName(char *name, int length, int device) {
  (void)device;
  snprintf(name, length, "Fake GPU");
  return 0;
}
int cuDeviceGetAttribute(int *value, int attribute, int device) {
  (void)device;
  *value = attribute == 75 ? 9 : 0;
  return 0;
}
int cuDevicePrimaryCtxRetain(void **context, int device) {
  (void)device;
  *context = (void *)0x1;
  return 0;
}
int cuDevicePrimaryCtxRelease_v2(int device) { (void)device; return 0; }
int cuCtxPushCurrent_v2(void *context) { (void)context; return 0; }
int cuCtxPopCurrent_v2(void **context) { if (context) *context = 0; return 0; }
int cuModuleLoadData(void **module, const void *image) {
  (void)image;
  ++loads;
  *module = (void *)0x2;
  return 0;
}
int cuModuleUnload(void *module) { (void)module; return 0; }
int cuModuleGetFunction(void **function, void *module, const char *name) {
  (void)module;
  *function = (void *)name;
  return 0;
}
int cuLaunchKernel(void *function, unsigned gx, unsigned gy, unsigned gz,
                   unsigned bx, unsigned by, unsigned bz, unsigned shared,
                   void *stream, void **params, void **extra) {
  (void)function, (void)gx, (void)gy, (void)gz, (void)bx, (void)by, (void)bz,
      (void)shared, (void)stream, (void)params, (void)extra;
  if (++launches == fail_at)
    return 719;
  return 0;
}
int cuMemAlloc_v2(CUdeviceptr *pointer, size_t bytes) {
  ++allocations;
  *pointer = (CUdeviceptr)(size_t)calloc(1, bytes);
  return *pointer ? 0 : 2;
}
int cuMemFree_v2(CUdeviceptr pointer) {
  ++frees;
  free((void *)(size_t)pointer);
  return 0;
}
int cuMemAllocAsync(CUdeviceptr *pointer, size_t bytes, void *stream) {
  (void)stream;
  return cuMemAlloc_v2(pointer, bytes);
}
int cuMemFreeAsync(CUdeviceptr pointer, void *stream) {
  (void)stream;
  return cuMemFree_v2(pointer);
}
int cuMemcpyHtoD_v2(CUdeviceptr to, const void *from, size_t bytes) {
  memcpy((void *)(size_t)to, from, bytes);
  return 0;
}
int cuMemcpyHtoDAsync_v2(CUdeviceptr to, const void *from, size_t bytes, void *s) {
  (void)s;
  return cuMemcpyHtoD_v2(to, from, bytes);
}
int cuMemcpyDtoHAsync_v2(void *to, CUdeviceptr from, size_t bytes, void *s) {
  (void)s;
  memcpy(to, (void *)(size_t)from, bytes);
  return 0;
}
int cuMemcpyDtoDAsync_v2(CUdeviceptr to, CUdeviceptr from, size_t bytes, void *s) {
  (void)s;
  memcpy((void *)(size_t)to, (void *)(size_t)from, bytes);
  return 0;
}
int cuMemcpyAsync(CUdeviceptr to, CUdeviceptr from, size_t bytes, void *s) {
  (void)s;
  memcpy((void *)(size_t)to, (void *)(size_t)from, bytes);
  return 0;
}
int cuMemsetD32Async(CUdeviceptr p, unsigned v, size_t n, void *s) {
  (void)p, (void)v, (void)n, (void)s;
  return 0;
}
int cuMemsetD16Async(CUdeviceptr p, unsigned short v, size_t n, void *s) {
  (void)p, (void)v, (void)n, (void)s;
  return 0;
}
int cuStreamCreate(void **stream, unsigned flags) {
  (void)flags;
  *stream = (void *)0x3;
  return 0;
}
int cuStreamDestroy_v2(void *stream) { (void)stream; return 0; }
int cuStreamSynchronize(void *stream) { (void)stream; return 0; }
int cuStreamWaitEvent(void *stream, void *event, unsigned flags) {
  (void)stream, (void)event, (void)flags;
  return 0;
}
int cuEventCreate(void **event, unsigned flags) { (void)flags; *event = (void *)0x4; return 0; }
int cuEventDestroy_v2(void *event) { (void)event; return 0; }
int cuEventSynchronize(void *event) { (void)event; return 0; }
int cuEventRecord(void *event, void *stream) { (void)event, (void)stream; return 0; }
int cuGetErrorName(int error, const char **name) {
  *name = error == 719 ? "CUDA_ERROR_LAUNCH_FAILED" : "CUDA_ERROR_FAKE";
  return 0;
}
int cuGetErrorString(int error, const char **text) {
  *text = error == 719 ? "unspecified launch failure" : "fake";
  return 0;
}
