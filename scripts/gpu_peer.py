#!/usr/bin/env python3
"""The PyTorch side of scripts/gpu-check.sh, on the GPU machine (/opt/torch/.venv's python3):
eager PyTorch timings of what the Go GPU benchmarks time (cuda/step_test.go), a CuPy fallback
that runs the committed PTX when the Go binaries do not load, and the table of ratios.

  gpu_peer.py torch --reps R --warmup W
      train/model=paper, forward/model=paper (img/s) and conv/{fwd,bwd_data,bwd_filter}/<shape>
      (GFLOP/s) in eager PyTorch on cuda:0: TF32 convolutions (cuDNN's default), FP32 matmuls;
      the same keys with the suffix .bf16cl under bf16 autocast + channels_last, extra rows.
  gpu_peer.py cupy --reps R
      The committed kernels/gpu/conv.ptx through cupy.RawModule: conv_fwd/data/filt on one
      encoder shape against torch (float64 reference, relative Frobenius error) and timed.
  gpu_peer.py table DIR
      Joins DIR/go-bench.txt (go test -bench output) and DIR/peer.txt into one table of ratios
      against the issue's goals: step and forward >= 1.0x eager PyTorch, each conv pass >= 0.7x.

Every line of peer output is `KEY VALUE UNIT`; lines starting with `#` are information.
Timings are CUDA-event means over R calls after W warm-up calls.
"""
import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
BATCH = 256
SGD = dict(lr=0.03, momentum=0.9, weight_decay=5e-4, nesterov=True)  # nn/bench_test.go's optimiser
LOW_DIM = 128
# cuda/step_test.go gpuConvs: name -> (C, K, H, R, stride, pad)
CONVS = {
    "w64_c3_k64_h32": (3, 64, 32, 3, 1, 1),
    "w64_c64_k64_h32": (64, 64, 32, 3, 1, 1),
    "w64_c64_k128_h32_s2": (64, 128, 32, 3, 2, 1),
    "w64_1x1_c64_k128_h32_s2": (64, 128, 32, 1, 2, 0),
    "w64_c128_k128_h16": (128, 128, 16, 3, 1, 1),
    "w64_c128_k256_h16_s2": (128, 256, 16, 3, 2, 1),
    "w64_1x1_c128_k256_h16_s2": (128, 256, 16, 1, 2, 0),
    "w64_c256_k256_h8": (256, 256, 8, 3, 1, 1),
    "w64_c256_k512_h8_s2": (256, 512, 8, 3, 2, 1),
    "w64_1x1_c256_k512_h8_s2": (256, 512, 8, 1, 2, 0),
    "w64_c512_k512_h4": (512, 512, 4, 3, 1, 1),
}


def out(key, value, unit):
    print(f"{key} {value:.4g} {unit}", flush=True)


def info(msg):
    print(f"# {msg}", flush=True)


def timed(fn, reps, warmup):
    """Mean seconds per call of fn, CUDA events around reps calls after warmup calls."""
    import torch
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    a, b = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    a.record()
    for _ in range(reps):
        fn()
    b.record()
    torch.cuda.synchronize()
    return a.elapsed_time(b) / 1e3 / reps


def cmd_torch(a):
    import torch
    import torch.nn.functional as F
    from bench_peer import load_encoder
    Encoder = load_encoder()
    dev = torch.device("cuda:0")
    info(f"torch {torch.__version__} cuDNN {torch.backends.cudnn.version()} on {torch.cuda.get_device_name(0)}; "
         f"cudnn.allow_tf32={torch.backends.cudnn.allow_tf32} matmul.allow_tf32={torch.backends.cuda.matmul.allow_tf32}")
    torch.backends.cudnn.benchmark = True
    for suffix, bf16 in (("", False), (".bf16cl", True)):
        torch.manual_seed(1)
        net = Encoder(64, LOW_DIM, 3).to(dev)
        x = torch.randn(BATCH, 3, 32, 32, device=dev)
        g = torch.randn(BATCH, LOW_DIM, device=dev)
        if bf16:
            net = net.to(memory_format=torch.channels_last)
            x = x.to(memory_format=torch.channels_last)
        opt = torch.optim.SGD(net.parameters(), **SGD)

        def step():
            opt.zero_grad(set_to_none=True)
            with torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
                y = net(x)
            (y.float() * g).sum().backward()
            opt.step()

        def forward():
            with torch.no_grad(), torch.autocast("cuda", dtype=torch.bfloat16, enabled=bf16):
                net(x)

        net.train()
        out(f"train/model=paper{suffix}", BATCH / timed(step, a.reps, a.warmup), "img/s")
        net.eval()
        out(f"forward/model=paper{suffix}", BATCH / timed(forward, a.reps, a.warmup), "img/s")
    cb = torch.ops.aten.convolution_backward
    for name, (c, k, h, r, s, p) in CONVS.items():
        for suffix, bf16 in (("", False), (".bf16cl", True)):
            dt = torch.bfloat16 if bf16 else torch.float32
            mf = torch.channels_last if bf16 else torch.contiguous_format
            torch.manual_seed(2)
            xx = torch.empty(BATCH, c, h, h, device=dev).uniform_(-1, 1).to(dt).to(memory_format=mf)
            w = torch.empty(k, c, r, r, device=dev).uniform_(-1, 1).to(dt).to(memory_format=mf)
            oh = (h + 2 * p - r) // s + 1
            gy = torch.empty(BATCH, k, oh, oh, device=dev).uniform_(-1, 1).to(dt).to(memory_format=mf)
            flops = 2.0 * BATCH * k * oh * oh * c * r * r

            def fwd():
                with torch.no_grad():
                    F.conv2d(xx, w, None, s, p)

            def bwd(mask):
                return lambda: cb(gy, xx, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, mask)

            for d, fn in (("fwd", fwd), ("bwd_data", bwd([True, False, False])),
                          ("bwd_filter", bwd([False, True, False]))):
                out(f"conv/{d}/{name}{suffix}", flops / timed(fn, a.kreps, a.warmup) / 1e9, "GFLOP/s")


def cmd_cupy(a):
    """The committed PTX without Go: conv.ptx's TF32 kernels on w64_c64_k64_h32 against torch."""
    import cupy as cp
    import numpy as np
    import torch
    import torch.nn.functional as F
    root = os.path.dirname(HERE)
    mod = cp.RawModule(path=os.path.join(root, "kernels/gpu/conv.ptx"))  # the driver JITs the PTX
    name = a.shape
    c, k, h, r, s, p = CONVS[name]
    n = BATCH
    oh = (h + 2 * p - r) // s + 1
    rng = np.random.default_rng(3)
    x = rng.uniform(-1, 1, (n, c, h, h)).astype(np.float32)
    w = rng.uniform(-1, 1, (k, c, r, r)).astype(np.float32)
    dy = rng.uniform(-1, 1, (n, k, oh, oh)).astype(np.float32)
    tx, tw, tdy = (torch.from_numpy(v).double().cuda() for v in (x, w, dy))
    ref_y = F.conv2d(tx, tw, None, s, p)
    ref_dx, ref_dw, _ = torch.ops.aten.convolution_backward(tdy, tx, tw, None, [s, s], [p, p], [1, 1], False,
                                                            [0, 0], 1, [True, True, False])
    ks = {1: "k1", 3: "k3"}.get(r, "k0")
    flops = 2.0 * n * k * oh * oh * c * r * r
    i64 = np.int64
    for pass_, mg, ng, kg, outshape, a_, b_, ref in (
            ("fwd", k, n * oh * oh, c * r * r, (n, k, oh, oh), w, x, ref_y),
            ("data", c, n * h * h, k * r * r, (n, c, h, h), w, dy, ref_dx),
            ("filt", k, c * r * r, n * oh * oh, (k, c, r, r), dy, x, ref_dw)):
        fn = mod.get_function(f"conv_{pass_}_64_{ks}")
        o = cp.zeros(outshape, dtype=cp.float32)
        ga, gb = cp.asarray(a_), cp.asarray(b_)
        slices = (kg + 15) // 16
        grid = ((ng + 127) // 128, (mg + 63) // 64, 1)
        args = (o, ga, gb, np.uint64(0), i64(n), i64(c), i64(h), i64(h), i64(k), i64(r), i64(r), i64(s), i64(p),
                i64(oh), i64(oh), i64(slices), np.uint64(0), np.uint64(0), np.uint64(0), i64(0), i64(1))
        fn(grid, (256,), args)
        cp.cuda.Device().synchronize()
        got = torch.as_tensor(o.get()).double().cuda()
        err = float((got - ref).norm() / ref.norm())
        out(f"cupy/{pass_}/{name}/relerr", err, "frobenius")
        start, end = cp.cuda.Event(), cp.cuda.Event()
        start.record()
        for _ in range(a.reps):
            fn(grid, (256,), args)
        end.record()
        end.synchronize()
        ms = cp.cuda.get_elapsed_time(start, end) / a.reps
        key = {"fwd": "fwd", "data": "bwd_data", "filt": "bwd_filter"}[pass_]
        out(f"cupy/conv/{key}/{name}", flops / (ms / 1e3) / 1e9, "GFLOP/s")


GO_LINE = re.compile(r"^Benchmark(GPUConv|GPUTrainStep|GPUForward)/(\S+?)(?:-\d+)?\s+\d+\s+.*?([\d.e+]+) (GFLOP/s|img/s)")
LOADER = re.compile(r"^BenchmarkLoader\S*\s+\d+\s+.*?([\d.e+]+) pairs/s")


def go_key(bench, sub):
    if bench == "GPUConv":
        m = re.match(r"pass=(\w+)/shape=(\S+)", sub)
        return f"conv/{m.group(1)}/{m.group(2)}"
    return {"GPUTrainStep": "train", "GPUForward": "forward"}[bench] + "/" + sub


def read(path, go):
    vals = {}
    if not os.path.exists(path):
        return vals
    for line in open(path):
        if go:
            m = GO_LINE.match(line.strip())
            if m:
                vals[go_key(m.group(1), m.group(2))] = float(m.group(3))
            m = LOADER.match(line.strip())
            if m:
                vals["loader"] = max(vals.get("loader", 0), float(m.group(1)))
        elif line.strip() and not line.startswith("#"):
            parts = line.split()
            if len(parts) >= 2:
                try:
                    vals[parts[0]] = float(parts[1])
                except ValueError:
                    pass
    return vals


def cmd_table(a):
    ours, peer = read(os.path.join(a.dir, "go-bench.txt"), True), read(os.path.join(a.dir, "peer.txt"), False)
    cupy = {k[len("cupy/"):]: v for k, v in peer.items() if k.startswith("cupy/conv/")}
    loader = ours.pop("loader", None)
    rows = sorted(set(ours) | set(cupy) | {k for k in peer if "/" in k and not k.startswith("cupy/")
                                           and not k.endswith(".bf16cl")})
    print(f"{'key':46s} {'ours':>10s} {'torch':>10s} {'ratio':>6s} {'bf16cl':>10s} {'goal':>5s}  verdict")
    for key in rows:
        mine = ours.get(key, cupy.get(key))
        src = "" if key in ours else (" (cupy)" if key in cupy else "")
        theirs, bf = peer.get(key), peer.get(key + ".bf16cl")
        goal = 0.7 if key.startswith("conv/") else 1.0
        ratio = mine / theirs if mine and theirs else None
        verdict = "-" if ratio is None else ("met" if ratio >= goal else "not met")
        fmt = lambda v: f"{v:10.4g}" if v is not None else f"{'-':>10s}"
        rs = f"{ratio:6.2f}" if ratio is not None else f"{'-':>6s}"
        print(f"{key + src:46s} {fmt(mine)} {fmt(theirs)} {rs} {fmt(bf)} {goal:5.1f}  {verdict}")
    step = ours.get("train/model=paper")
    if loader:
        feeds = f"{loader / step:.2f}x the step's img/s" if step else "no GPU step figure"
        print(f"loader (augmented pairs/s on this machine's cores): {loader:.4g}, {feeds} (goal >= 1.0)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("torch")
    t.add_argument("--reps", type=int, default=10)
    t.add_argument("--kreps", type=int, default=20)
    t.add_argument("--warmup", type=int, default=3)
    c = sub.add_parser("cupy")
    c.add_argument("--reps", type=int, default=20)
    c.add_argument("--shape", default="w64_c64_k64_h32")
    tb = sub.add_parser("table")
    tb.add_argument("dir")
    a = ap.parse_args()
    {"torch": cmd_torch, "cupy": cmd_cupy, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
