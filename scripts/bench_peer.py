#!/usr/bin/python3
"""The peer side of scripts/bench_peer.sh: PyTorch and numpy (OpenBLAS) timings of what the
engine's Go benchmarks time, and the table that sets the two side by side.

Subcommands (run with Debian's /usr/bin/python3):

  bench_peer.py torch  --threads T --kreps K --warmup W --models paper:R,small:R --convs NAMES
      The encoder training step and eval forward (img/s, R timed steps each), and conv2d fwd /
      bwd_data / bwd_filter at the named encoder shapes (GFLOP/s), in PyTorch on T threads.
  OPENBLAS_NUM_THREADS=T bench_peer.py numpy --reps K --warmup W
      numpy.matmul (OpenBLAS sgemm) on the conv GEMM shapes of kernels/sgemm/bench_test.go.
  bench_peer.py check
      The embedded Encoder copy against gen.py's (same parameter names, shapes and outputs).
  bench_peer.py table  DIR THREADS...
      Joins the engine's `go test -bench` outputs and the peer lines in DIR into one table.

Every timing line is `KEY VALUE UNIT`, KEY naming the same work on both sides:
  train/model=paper, forward/model=small, conv/fwd/c64_k64_h32, sgemm/NN_64x16384x576.
Lines starting with `#` are information. Each value is the mean over the timed calls, with
the warm-up calls left out; the engine side is made comparable in `table` (see steady()).
"""
import argparse
import glob
import importlib.util
import os
import re
import sys
import time

# Batch of every step and conv benchmark (nn/bench_test.go stepCases, kernels resnetConvs).
BATCH = 256
# model name -> (width, in channels, image side), as nn/bench_test.go stepCases.
MODELS = {"paper": (64, 3, 32), "small": (16, 1, 28)}
# Conv GEMM shapes (m, n, k) of kernels/sgemm/bench_test.go convShapes: Cout x N·H·W x Cin·9.
GEMMS = [(64, 16384, 576), (128, 16384, 1152), (256, 4096, 2304), (512, 1024, 4608)]
LOW_DIM = 128  # the encoder's output dimension in the step benchmark
SGD = dict(lr=0.03, momentum=0.9, weight_decay=5e-4, nesterov=True)  # nn/bench_test.go's optimiser


def out(key, value, unit):
    print(f"{key} {value:.4g} {unit}", flush=True)


def info(msg):
    print(f"# {msg}", flush=True)


# ---------------------------------------------------------------- the encoder
def embedded_encoder():
    """Returns (Encoder, Block): a verbatim copy of ../shared/reference/gen.py's two-tower
    ResNet18 with the Sobel branch, for machines without the shared reference. `check`
    compares it with gen.py's whenever gen.py is present, so the two cannot drift unseen."""
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    class Block(nn.Module):
        def __init__(self, cin, cout, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False); self.bn1 = nn.BatchNorm2d(cout)
            self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False); self.bn2 = nn.BatchNorm2d(cout)
            self.shortcut = nn.Sequential()
            if stride != 1 or cin != cout:
                self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

        def forward(self, x):
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    class Encoder(nn.Module):
        """Two CIFAR ResNet18 towers (image and Sobel of its grey level), concatenated,
        a linear projection to low_dim and L2 normalisation; widths are width*(1,2,4,8)."""

        def __init__(self, width=64, low_dim=128, in_ch=3):
            super().__init__()
            ws = [width, 2 * width, 4 * width, 8 * width]

            def tower(prefix, cin):
                setattr(self, "conv1" + prefix, nn.Conv2d(cin, width, 3, 1, 1, bias=False))
                setattr(self, "bn1" + prefix, nn.BatchNorm2d(width))
                c = width
                for li, (wout, st) in enumerate(zip(ws, [1, 2, 2, 2])):
                    blocks = []
                    for st2 in [st, 1]:
                        blocks.append(Block(c, wout, st2)); c = wout
                    setattr(self, f"layer{li + 1}" + prefix, nn.Sequential(*blocks))
            tower("", in_ch)
            tower("_sobel", 2)
            self.linear = nn.Linear(16 * width, low_dim)
            self.in_ch = in_ch
            grey = torch.full((1, in_ch, 1, 1), 1.0 / in_ch)
            sob = torch.tensor([[[[1., 0, -1], [2, 0, -2], [1, 0, -1]]], [[[1., 2, 1], [0, 0, 0], [-1, -2, -1]]]])
            self.register_buffer("grey", grey); self.register_buffer("sob", sob)

        def run(self, x, p):
            out = F.relu(getattr(self, "bn1" + p)(getattr(self, "conv1" + p)(x)))
            for li in range(1, 5):
                out = getattr(self, f"layer{li}" + p)(out)
            out = F.avg_pool2d(out, 4)
            return out.view(out.size(0), -1)

        def sobel(self, x):
            return F.conv2d(F.conv2d(x, self.grey), self.sob, padding=1)

        def forward(self, x):
            f = torch.cat((self.run(x, ""), self.run(self.sobel(x), "_sobel")), 1)
            y = self.linear(f)
            return y / y.pow(2).sum(1, keepdim=True).pow(0.5)

    return Encoder


def gen_py_path():
    """../shared/reference/gen.py beside the repository (or under $SHARED_DIR)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shared = os.environ.get("SHARED_DIR") or os.path.join(root, "..", "shared")
    return os.path.normpath(os.path.join(shared, "reference", "gen.py"))


def reference_encoder():
    """gen.py's Encoder when the shared reference is present, else None. Importing gen.py
    runs only its definitions (and torch.set_num_threads(1): callers set threads after)."""
    path = gen_py_path()
    if not os.path.isfile(path):
        return None, path
    spec = importlib.util.spec_from_file_location("gen_reference", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.Encoder, path


def load_encoder():
    enc, path = reference_encoder()
    if enc is not None:
        info(f"encoder: Encoder from {path}")
        return enc
    info(f"encoder: embedded copy of gen.py's Encoder ({path} not found)")
    return embedded_encoder()


def cmd_check(_):
    """Same state_dict names and shapes, and the same outputs for the same weights and input,
    for gen.py's Encoder and the embedded one (width 4, both in-channel counts)."""
    import torch
    ref, path = reference_encoder()
    if ref is None:
        info(f"check: {path} not found; nothing to compare the embedded encoder with")
        return
    emb = embedded_encoder()
    for in_ch, side in ((3, 32), (1, 28)):
        torch.manual_seed(3)
        a = ref(4, 16, in_ch)
        b = emb(4, 16, in_ch)
        sa = {k: tuple(v.shape) for k, v in a.state_dict().items()}
        sb = {k: tuple(v.shape) for k, v in b.state_dict().items()}
        if sa != sb:
            sys.exit(f"check: embedded Encoder differs from {path}: state_dict {set(sa) ^ set(sb) or 'shapes'}")
        b.load_state_dict(a.state_dict())
        x = torch.randn(3, in_ch, side, side)
        for train in (True, False):
            a.train(train); b.train(train)
            with torch.no_grad():
                d = (a(x) - b(x)).abs().max().item()
            if d != 0:
                sys.exit(f"check: embedded Encoder output differs from {path} by {d} (in_ch {in_ch})")
    info(f"check: embedded Encoder matches {path}")


# ---------------------------------------------------------------- PyTorch timings
def timed(fn, reps, warmup):
    """Mean seconds per call of fn over reps calls, after warmup untimed calls."""
    for _ in range(warmup):
        fn()
    t0 = time.perf_counter()
    for _ in range(reps):
        fn()
    return (time.perf_counter() - t0) / reps


def bench_model(Encoder, name, reps, warmup):
    """The step of nn/bench_test.go benchStep: forward in training mode, loss = <y, g> with a
    fixed random g, backward, SGD Nesterov with weight decay; and the eval forward, no graph."""
    import torch
    width, cin, side = MODELS[name]
    torch.manual_seed(1)
    net = Encoder(width, LOW_DIM, cin)
    x = torch.randn(BATCH, cin, side, side)
    g = torch.randn(BATCH, LOW_DIM)
    opt = torch.optim.SGD(net.parameters(), **SGD)

    def step():
        opt.zero_grad(set_to_none=True)
        y = net(x)
        (y * g).sum().backward()
        opt.step()

    def forward():
        with torch.no_grad():
            net(x)

    # The FLOPs of one image's forward, its convolutions and linear layers (2 per
    # multiply-add), for the fractions of the FMA peak: a training step counts three times it
    # (forward, data and filter gradients), the table's approximation.
    flops = [0.0]

    def count(mod, inp, y):
        if isinstance(mod, torch.nn.Conv2d):
            kh, kw = mod.kernel_size
            flops[0] += 2.0 * y.numel() * mod.in_channels // mod.groups * kh * kw
        elif isinstance(mod, torch.nn.Linear):
            flops[0] += 2.0 * y.numel() * mod.in_features
    hooks = [m.register_forward_hook(count) for m in net.modules()
             if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))]
    with torch.no_grad():
        net(x[:1])
    for h in hooks:
        h.remove()
    out(f"gflop/model={name}", flops[0] / 1e9, "GFLOP/img")
    net.train()
    out(f"train/model={name}", BATCH / timed(step, reps, warmup), "img/s")
    net.eval()
    out(f"forward/model={name}", BATCH / timed(forward, reps, warmup), "img/s")


CONV_NAME = re.compile(r"^(?:w\d+_)?(1x1_)?c(\d+)_k(\d+)_h(\d+)(?:_s(\d+))?$")


def conv_shape(name):
    """(C, K, H, R, stride, pad) from a kernels resnetConvs name (encoderConvs there):
    `w64_c64_k128_h32_s2` is a 3×3 conv C→K on H×H inputs, stride 2, padding 1, of the width-64
    tower; a `1x1_` after the width a pointwise one with no padding."""
    m = CONV_NAME.match(name)
    if not m:
        sys.exit(f"bench_peer: conv shape {name!r} is not like w64_c64_k64_h32 or w64_1x1_c64_k128_h32_s2")
    r = 1 if m.group(1) else 3
    return int(m.group(2)), int(m.group(3)), int(m.group(4)), r, int(m.group(5) or 1), r // 2


def bench_conv(name, reps, warmup):
    """conv2d forward, and the data and filter gradients each alone (aten's
    convolution_backward with a one-hot output mask, the op autograd itself calls), at batch
    256. Every pass counts the forward's 2·N·K·OH·OW·C·R·S FLOPs, as BenchmarkConv2D."""
    import torch
    import torch.nn.functional as F
    c, k, h, r, s, p = conv_shape(name)
    torch.manual_seed(2)
    x = torch.empty(BATCH, c, h, h).uniform_(-1, 1)
    w = torch.empty(k, c, r, r).uniform_(-1, 1)
    oh = (h + 2 * p - r) // s + 1
    gy = torch.empty(BATCH, k, oh, oh).uniform_(-1, 1)
    flops = 2.0 * BATCH * k * oh * oh * c * r * r
    cb = torch.ops.aten.convolution_backward

    def fwd():
        with torch.no_grad():
            F.conv2d(x, w, None, s, p)

    def bwd(mask):
        return lambda: cb(gy, x, w, None, [s, s], [p, p], [1, 1], False, [0, 0], 1, mask)

    for d, fn in (("fwd", fwd), ("bwd_data", bwd([True, False, False])),
                  ("bwd_filter", bwd([False, True, False]))):
        out(f"conv/{d}/{name}", flops / timed(fn, reps, warmup) / 1e9, "GFLOP/s")


def cmd_torch(a):
    import torch
    Encoder = load_encoder()  # gen.py sets 1 thread on import: set ours after it
    torch.set_num_threads(a.threads)
    dnn = re.search(r"MKL-DNN (v[\d.]+)", torch.__config__.show())
    info(f"torch {torch.__version__}, threads {torch.get_num_threads()}, oneDNN "
         f"{dnn.group(1) if dnn and torch.backends.mkldnn.is_available() else 'off'}, "
         f"GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES', '')}")
    for spec in filter(None, a.models.split(",")):
        name, _, reps = spec.partition(":")
        if name not in MODELS or not (reps or "1").isdigit():
            sys.exit(f"bench_peer: bad model {spec!r} (HINT: paper or small, with :reps)")
        bench_model(Encoder, name, int(reps or a.reps), a.warmup)
    for name in filter(None, a.convs.split(",")):
        bench_conv(name, a.kreps, a.warmup)


# ---------------------------------------------------------------- numpy / OpenBLAS
def blas_library():
    """The BLAS shared object this process mapped, and OpenBLAS's own config string."""
    libs = sorted({os.path.realpath(l.split()[-1]) for l in open("/proc/self/maps")
                   if "blas" in os.path.basename(l.split()[-1]).lower() and ".so" in l})
    cfg = ""
    for lib in libs:
        try:
            import ctypes
            f = ctypes.CDLL(lib).openblas_get_config
            f.restype = ctypes.c_char_p
            cfg = f().decode()
            break
        except (OSError, AttributeError):
            continue
    return ", ".join(libs) or "none found", cfg


def cmd_blas_core(_):
    """Prints the kernel OpenBLAS chose for this CPU: the word before MAX_THREADS in its
    config string (bench_peer.sh gives the peer a better one when that is a fallback)."""
    import numpy  # noqa: F401  (loads the BLAS)
    words = blas_library()[1].split()
    at = [i for i, w in enumerate(words) if w.startswith("MAX_THREADS")]
    print(words[at[0] - 1] if at and at[0] > 0 else "unknown")


def cmd_numpy(a):
    """C[m,n] = op(A)·op(B) for each conv GEMM as the forward (NN), data gradient (TN) and
    filter gradient (NT) issue it; a transposed operand is a transposed view of a contiguous
    array, which numpy hands to sgemm as a transpose flag (no copy). Mean of reps calls."""
    import numpy as np
    rng = np.random.default_rng(7)
    for m0, n0, k0 in GEMMS:
        for op, m, n, k in (("NN", m0, n0, k0), ("TN", k0, n0, m0), ("NT", m0, k0, n0)):
            am = rng.uniform(-1, 1, (k, m) if op[0] == "T" else (m, k)).astype(np.float32)
            bm = rng.uniform(-1, 1, (n, k) if op[1] == "T" else (k, n)).astype(np.float32)
            am = am.T if op[0] == "T" else am
            bm = bm.T if op[1] == "T" else bm
            c = np.empty((m, n), dtype=np.float32)
            sec = timed(lambda: np.matmul(am, bm, out=c), a.reps, a.warmup)
            out(f"sgemm/{op}_{m}x{n}x{k}", 2.0 * m * n * k / sec / 1e9, "GFLOP/s")
    libs, cfg = blas_library()
    info(f"numpy {np.__version__}, BLAS {libs} ({cfg}), OPENBLAS_NUM_THREADS="
         f"{os.environ.get('OPENBLAS_NUM_THREADS', '')}")


# ---------------------------------------------------------------- the table
GO_LINE = re.compile(r"^(Benchmark\S+?)(?:-\d+)?\s+(\d+)\s+([\d.]+) ns/op\s+(.*)$")


def go_key(name):
    """The shared KEY of a Go benchmark name (GOMAXPROCS suffix already removed)."""
    parts = name.split("/")
    top, kv = parts[0], dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    if top == "BenchmarkTrainStep":
        return f"train/model={kv['model']}"
    if top == "BenchmarkForward":
        return f"forward/model={kv['model']}"
    if top == "BenchmarkConv2D":
        return f"conv/{kv['dir']}/{kv['shape']}"
    if top == "BenchmarkSgemm":
        return f"sgemm/{kv['shape']}"
    return None


def read_go(path):
    """KEY -> (iterations, seconds per iteration, work per iteration, unit) from one run of
    `go test -bench`; the work is the reported rate times the time (images or GFLOP)."""
    res = {}
    for line in open(path):
        m = GO_LINE.match(line)
        if not m:
            continue
        key = go_key(m.group(1))
        f = m.group(4).split()
        for i in range(len(f) - 1):
            if f[i + 1] in ("img/s", "GFLOP/s") and key:
                sec = float(m.group(3)) * 1e-9
                res[key] = (int(m.group(2)), sec, float(f[i]) * sec, f[i + 1])
    return res


# COLD_MAX bounds how much slower than a steady call a first call may plausibly be. The
# first training step allocates and faults in 0.8-8.5 GB that later steps reuse (B/op of a
# 1-iteration run against a 2-iteration one), and on a 2-core box at load 4-7 it took 1.3-4x
# a steady step; a first GEMM call (a few MB of packing buffers) took 0.4-14x under the same
# load, the extremes being noise. A first call faster than the steady ones is noise too.
COLD_MAX = 10.0


def steady(cold, warm, ceiling=None):
    """Engine rate with the first (cold) iteration left out, the peer's estimator (the mean of
    the timed calls after the warm-up). b.Loop times every iteration, the first included, so
    the script runs each benchmark twice, 1 iteration (`cold`) and 1+R (`warm`): the last R of
    `warm` take total(warm) - total(cold). That is the estimate whatever the cold call took;
    when the cold call lies outside [1, COLD_MAX] steady calls the single cold sample was
    disturbed by load, and the estimate is flagged with `*` (not replaced by another one).
    Only where no difference can be formed (no cold run, or a non-positive difference), or
    where the estimate passes `ceiling` (a speed the row cannot reach: an SGEMM's GFLOP/s
    above the FMA peak, which a cold sample slowed by load produces), is the plain mean of
    `warm` returned, flagged too."""
    n1, s1, work, unit = warm
    if cold is not None:
        n0, s0, _, _ = cold
        if n1 > n0 and n1 * s1 - n0 * s0 > 0:
            per = (n1 * s1 - n0 * s0) / (n1 - n0)
            if ceiling is None or work / per <= ceiling:
                return work / per, unit, "" if per <= s0 <= COLD_MAX * per else "*"
    return work / s1, unit, "*"


def read_peer(path):
    res = {}
    if os.path.exists(path):
        for line in open(path):
            f = line.split()
            if len(f) == 3 and not line.startswith("#"):
                res[f[0]] = float(f[1])
    return res




PEAK_LINE = re.compile(r"^BenchmarkFMAPeak/path=(\S+?)(?:-\d+)?\s.*?([\d.]+) GFLOP/s")


def read_peak(path):
    """The best GFLOP/s of a BenchmarkFMAPeak run (peak-tT-WHEN.txt), and its path."""
    best, name = None, None
    if os.path.exists(path):
        for line in open(path):
            m = PEAK_LINE.match(line)
            if m:
                name, v = m.group(1), float(m.group(2))
                best = v if best is None else max(best, v)
    return best, name


def cmd_table(a):
    rows, flagged, peaks = [], False, {}
    for t in a.threads:
        eng, cold, peer = {}, {}, {}
        for warm in sorted(glob.glob(os.path.join(a.dir, f"go-*-t{t}-warm.txt"))):
            eng.update(read_go(warm))
            cold.update(read_go(warm[:-len("warm.txt")] + "cold.txt"))
        peer.update(read_peer(os.path.join(a.dir, f"torch-t{t}.txt")))
        peer.update(read_peer(os.path.join(a.dir, f"numpy-t{t}.txt")))
        # The FMA peak of the engine's path on t threads: the better of the runs at the start
        # and at the end (the machine's best offer: fractions are not overstated by a dip).
        (p0, path), (p1, _) = (read_peak(os.path.join(a.dir, f"peak-t{t}-{w}.txt")) for w in ("start", "end"))
        peak = max(filter(None, (p0, p1)), default=None)
        peaks[t] = (path, p0, p1)
        gflop = {k.split("/", 1)[1]: v for k, v in peer.items() if k.startswith("gflop/")}
        peer = {k: v for k, v in peer.items() if not k.startswith("gflop/")}
        # Kind by kind, each in the order the peer ran it (its shape lists), then engine-only keys.
        keys = list(dict.fromkeys(list(peer) + list(eng)))
        kinds = ["train", "forward", "conv", "sgemm"]
        for key in sorted(keys, key=lambda k: (kinds.index(k.split("/")[0]), keys.index(k))):
            # An SGEMM counts the FLOPs it does, so it cannot pass the FMA peak (a conv row
            # can: Winograd does fewer FLOPs than the direct convolution it is counted as).
            ceiling = peak if key.startswith("sgemm/") else None
            e, unit, flag = steady(cold.get(key), eng[key], ceiling) if key in eng else (None, "", "")
            flagged |= flag == "*"
            pv = peer.get(key)
            unit = unit or ("img/s" if key.split("/")[0] in ("train", "forward") else "GFLOP/s")
            # GFLOP per unit of the row's speed: 1 for GFLOP/s, the model's per image otherwise.
            kind, _, model = key.partition("/")
            work = 1.0 if unit == "GFLOP/s" else gflop.get(model, 0) * (3 if kind == "train" else 1)
            rows.append((f"{key} t{t}", unit, e, flag, pv, eng[key][2] / eng[key][1] if key in eng else None,
                         peak / work if peak and work else None))
    w = max([len(r[0]) for r in rows] + [4])
    for t, (path, p0, p1) in peaks.items():
        f = lambda v: f"{v:.4g}" if v else "-"
        print(f"FMA peak t{t}: path {path or '-'}, {f(p0)} GFLOP/s at the start, {f(p1)} at the end "
              "(BenchmarkFMAPeak, best of 3 s each)")
    print()
    print(f"{'what':<{w}}  {'unit':<7}  {'engine':>9}  {'peer':>9}  {'ratio':>6}  {'eng+1st':>9}  {'eng/pk':>6}  {'peer/pk':>7}")
    for what, unit, e, flag, pv, e1, pk in rows:
        es = f"{e:.4g}{flag}" if e is not None else "-"
        ps = f"{pv:.4g}" if pv is not None else "-"
        rs = f"{e / pv:.2f}" if e is not None and pv else "-"
        e1s = f"{e1:.4g}" if e1 is not None else "-"
        fe = f"{e / pk:.2f}" if e is not None and pk else "-"
        fp = f"{pv / pk:.2f}" if pv is not None and pk else "-"
        print(f"{what:<{w}}  {unit:<7}  {es:>9}  {ps:>9}  {rs:>6}  {e1s:>9}  {fe:>6}  {fp:>7}")
    print("ratio = engine speed / peer speed (>1: the engine is faster); peer = PyTorch for train,")
    print("forward and conv rows, numpy/OpenBLAS for sgemm rows; means with warm-up calls left out.")
    print("eng+1st = the engine's plain mean over 1+R iterations, its cold first one included.")
    print("eng/pk, peer/pk = each side's speed as a fraction of the FMA peak of the engine's path (the")
    print("better of start and end); train and forward rows count the model's conv and linear FLOPs")
    print("per image (PyTorch's hooks), a training step as three forwards.")
    if flagged:
        print("* the 1-call run was off by load noise (bench_peer.py steady()): the estimate may be")
        print("  off too (the same estimator; where none could be formed, or an sgemm one passed the")
        print("  FMA peak, the plain mean).")
    if any(r[2] is None or r[4] is None for r in rows):
        print("- ran on one side only: a benchmark or shape name no longer matches (HINT: CONVS)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("torch")
    t.add_argument("--threads", type=int, default=2)
    t.add_argument("--reps", type=int, default=3, help="timed steps of a model given without :R")
    t.add_argument("--kreps", type=int, default=5, help="timed calls per conv pass")
    t.add_argument("--warmup", type=int, default=1)
    t.add_argument("--models", default="paper,small")
    t.add_argument("--convs", default="w64_c64_k64_h32")
    n = sub.add_parser("numpy")  # threads: OPENBLAS_NUM_THREADS, read when OpenBLAS loads
    n.add_argument("--reps", type=int, default=5)
    n.add_argument("--warmup", type=int, default=1)
    sub.add_parser("check")
    sub.add_parser("blas-core")
    tb = sub.add_parser("table")
    tb.add_argument("dir")
    tb.add_argument("threads", nargs="+")
    a = ap.parse_args()
    {"torch": cmd_torch, "numpy": cmd_numpy, "check": cmd_check, "blas-core": cmd_blas_core, "table": cmd_table}[a.cmd](a)


if __name__ == "__main__":
    main()
