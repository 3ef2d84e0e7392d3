"""Time OpenBLAS sgemm (through numpy) on the conv shapes of BenchmarkSgemm.

Prints one line per shape, `shape=NN_64x16384x576 GFLOP/s=123.4`, best of
`reps` timed calls after one warm-up. Each shape is (op, m, n, k) with
C[m,n] = op(A)·op(B); a transposed operand is a transposed view of a
contiguous array, which numpy hands to sgemm as a transpose flag (no copy).
"""
import sys
import time

import numpy as np

CONV = [(64, 16384, 576), (128, 16384, 1152), (256, 4096, 2304), (512, 1024, 4608)]


def shapes():
    for m, n, k in CONV:
        yield "NN", m, n, k  # Y = W·X
        yield "TN", k, n, m  # dX = Wᵀ·dY
        yield "NT", m, k, n  # dW = dY·Xᵀ


def main():
    reps = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rng = np.random.default_rng(7)
    for op, m, n, k in shapes():
        # Stored layouts: A is m×k, or k×m when transposed; B likewise.
        a = rng.uniform(-1, 1, (k, m) if op[0] == "T" else (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (n, k) if op[1] == "T" else (k, n)).astype(np.float32)
        a = a.T if op[0] == "T" else a
        b = b.T if op[1] == "T" else b
        c = np.empty((m, n), dtype=np.float32)
        np.matmul(a, b, out=c)  # warm-up: thread pool, page faults
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            best = min(best, time.perf_counter() - t0)
        print(f"shape={op}_{m}x{n}x{k} GFLOP/s={2 * m * n * k / best / 1e9:.1f}", flush=True)


if __name__ == "__main__":
    main()
