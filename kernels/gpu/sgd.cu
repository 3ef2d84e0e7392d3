// sgd.cu - CUDA twin of the CPU SGDStep (kernels/sgd.go; test
// kernels/sgd_test.go): one torch.optim.SGD step (dampening 0), elementwise,
// in PyTorch's order of operations, every product rounded before its sum (no
// FMA) as Go's float32 code does, so the result is bit-identical to the CPU:
//
//   g     = grad + weightDecay*param
//   buf   = first ? g : momentum*buf + g         (skipped when momentum == 0)
//   step  = nesterov ? g + momentum*buf : buf    (g when momentum == 0)
//   param = param - lr*step
//
// param, grad, buf: float32 [n]; buf is not read when momentum == 0.
#include "common.cuh"

extern "C" __global__ void sgd_f32(float *param, const float *grad, float *buf, float lr, float momentum,
                                   float wd, i64 nesterov, i64 first, i64 n)
{
    FOR_N(i, n) {
        float p = param[i];
        float g = __fadd_rn(grad[i], __fmul_rn(wd, p));
        float step = g;
        if (momentum != 0.0f) {
            float b = first ? g : __fadd_rn(__fmul_rn(momentum, buf[i]), g);
            buf[i] = b;
            step = nesterov ? __fadd_rn(g, __fmul_rn(momentum, b)) : b;
        }
        param[i] = __fsub_rn(p, __fmul_rn(lr, step));
    }
}
