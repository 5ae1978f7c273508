/* SSSNet's first layer on the CPU: a KxK convolution (no padding, stride 1) followed by a
   POOLxPOOL max-pool of stride POOL, as one pass.

   Each pooling window's POOL*POOL convolution outputs are computed in registers, one vector
   of output channels each, and only their maximum and its position in the window are
   stored: the convolution's full output, ~22 MB a batch, is never written. The backward
   pass sends each window's gradient to that position alone, which is what the max-pool's
   gradient followed by the convolution's weight gradient computes through a zero-filled
   gradient of the convolution's output.

   Layouts: inputs (batch, side, side, CI) (channels-last); weights (K, K, CI, OCP), output
   channels padded to OCP with zeros; outputs and their gradients (batch, pooled, pooled,
   OC); positions in the window (batch, pooled, pooled, OCP), row-major in the window. The
   caller compiles with -DCI, -DK, -DPOOL and -DOC (OC and K * CI at most OCP). */
#include <stdint.h>
#ifdef _OPENMP
#include <omp.h>
#endif
#ifdef __AVX512F__
#include <immintrin.h>
#endif
#include <string.h>

#define OCP 16 /* one 512-bit vector of float32 */
#define WIN (POOL * POOL)
#define ROW (K * CI) /* one kernel row's inputs, contiguous in channels-last */

#if OC > OCP || ROW > OCP || WIN > 255
#error "OC and K * CI must be at most OCP, and a window's positions must fit a byte"
#endif

typedef float vec __attribute__((vector_size(OCP * sizeof(float)), aligned(4)));
typedef int32_t ivec __attribute__((vector_size(OCP * sizeof(int32_t)), aligned(4)));
typedef uint8_t bytes __attribute__((vector_size(OCP), aligned(1)));

static inline vec blend(ivec mask, vec yes, vec no) {
  return (vec)(((ivec)yes & mask) | ((ivec)no & ~mask));
}

void conv_max_pool_forward(const float *x, const float *w, const float *bias, float *out,
                           uint8_t *where, int64_t batch, int64_t side, int threads) {
  const int64_t pooled = (side - K + 1) / POOL;
  vec b = {0};
  memcpy(&b, bias, OC * sizeof(float));
#pragma omp parallel for num_threads(threads) schedule(static)
  for (int64_t n = 0; n < batch; n++)
    for (int64_t py = 0; py < pooled; py++)
      for (int64_t px = 0; px < pooled; px++) {
        vec acc[WIN] = {0};
        const float *corner = x + ((n * side + POOL * py) * side + POOL * px) * CI;
        for (int ky = 0; ky < K; ky++)
          for (int j = 0; j < ROW; j++) {
            const vec wk = *(const vec *)(w + (ky * ROW + j) * OCP);
            /* The window's outputs as independent accumulators keep the FMA units busy. */
#pragma GCC unroll 16
            for (int o = 0; o < WIN; o++)
              acc[o] += corner[((o / POOL + ky) * side + o % POOL) * CI + j] * wk;
          }
        /* As torch's max-pool: the first maximum in row-major order, and a NaN replaces
           whatever came before it (the window's last NaN wins). */
        vec best = acc[0];
        ivec at = {0};
        for (int o = 1; o < WIN; o++) {
          const ivec later = (acc[o] > best) | (acc[o] != acc[o]);
          best = blend(later, acc[o], best);
          at = (at & ~later) | (later & o);
        }
        const int64_t p = (n * pooled + py) * pooled + px;
        best += b;
        memcpy(out + p * OC, &best, OC * sizeof(float));
        *(bytes *)(where + p * OCP) = __builtin_convertvector(at, bytes);
      }
}

/* One kernel row's inputs as a vector, its lanes past ROW zero: nothing past the row is read. */
static inline vec load_row(const float *row) {
#if defined(__AVX512F__) && ROW <= 16
  return (vec)_mm512_maskz_loadu_ps((__mmask16)((1u << ROW) - 1), row);
#else
  vec v = {0};
  memcpy(&v, row, ROW * sizeof(float));
  return v;
#endif
}

/* Adds the weight gradient (K, K, CI, OCP) of samples [first, last) to `gw`. Each window
   and channel adds its gradient times the inputs under its maximum alone: a ninth of what
   the convolution's weight gradient computes. */
static void accumulate_weight_grad(const float *x, const float *grad, const uint8_t *where,
                                   float *gw, int64_t first, int64_t last, int64_t side) {
  const int64_t pooled = (side - K + 1) / POOL;
  int64_t offset[WIN];
  for (int o = 0; o < WIN; o++) offset[o] = ((o / POOL) * side + o % POOL) * CI;
  vec acc[K][OC];
  memset(acc, 0, sizeof acc);
  for (int64_t n = first; n < last; n++)
    for (int ky = 0; ky < K; ky++) {
      vec row_acc[OC];
      memcpy(row_acc, acc[ky], sizeof row_acc);
      for (int64_t py = 0; py < pooled; py++)
        for (int64_t px = 0; px < pooled; px++) {
          const int64_t p = (n * pooled + py) * pooled + px;
          const float *g = grad + p * OC;
          const uint8_t *at = where + p * OCP;
          const float *corner = x + ((n * side + POOL * py + ky) * side + POOL * px) * CI;
#pragma GCC unroll 16
          for (int c = 0; c < OC; c++) row_acc[c] += g[c] * load_row(corner + offset[at[c]]);
        }
      memcpy(acc[ky], row_acc, sizeof row_acc);
    }
  for (int ky = 0; ky < K; ky++)
    for (int c = 0; c < OC; c++)
      for (int j = 0; j < ROW; j++) gw[(ky * ROW + j) * OCP + c] += acc[ky][c][j];
}

/* The weight gradient of `batch` samples in `threads` parts, part t added to the zeroed
   `partial[t]` (threads, K, K, CI, OCP): summed by the caller in a fixed order, so the
   result does not depend on which thread finished first. The bias gradient is the sum of
   `grad`, also left to the caller. */
void conv_max_pool_backward(const float *x, const float *grad, const uint8_t *where,
                            float *partial, int64_t batch, int64_t side, int threads) {
#pragma omp parallel num_threads(threads)
  {
#ifdef _OPENMP
    const int t = omp_get_thread_num(), parts = omp_get_num_threads();
#else
    const int t = 0, parts = 1;
#endif
    accumulate_weight_grad(x, grad, where, partial + (int64_t)t * K * ROW * OCP,
                           batch * t / parts, batch * (t + 1) / parts, side);
  }
}
