#!/usr/bin/python3
"""Writes nn/testdata/wrn28_2.json, the PyTorch golden of the WRN-28-2 encoder.

    /usr/bin/python3 scripts/wrn_fixtures.py [--out nn/testdata/wrn28_2.json]

Needs Debian's python3-torch (apt-get install -y python3-torch). The network
is nn/wrn.go's WideResNet-28-2 written with torch.nn (xternalz/WideResNet-
pytorch's layout, LeakyReLU(0.1), bias-free convolutions, PyTorch's BN
defaults) with the embedding head of nn/network.go (Linear(128, D), then L2
normalisation), under the same state_dict names.

No weight file is committed: every state entry is filled from a 32-bit LCG
seeded by the CRC-32 of its name, which the Go test (nn/wrn_test.go,
wrnFixtureValue) reimplements:

    s <- (1664525*s + 1013904223) mod 2^32,  u = (s >> 8) / 2^23 - 1  in [-1, 1)
    value = base + scale*u   (float64, then rounded to float32)

with (base, scale) by kind: conv weights (0, sqrt(6/fan_out)), so that their
variance is kaiming's 2/fan_out; BN weight (1, 0.2), bias (0, 0.1),
running_mean (0, 0.1), running_var (1, 0.25); the head's weight
(0, sqrt(6/(in+out))) and bias (0, 0.1). The input x [N,3,S,S] is base 0,
scale 2 from seed "input"; the loss weights r [N,D] scale 1 from seed "r".

It runs in float64 (the weights' float32 values converted exactly), so the
golden is the exact result our float32 engine approximates:

  1. training mode: y = encoder(x), L = sum(y * r), L.backward();
     saved: feat (the pooled 128 features), y, dL/dx, a few parameter
     gradients (the first `GRAD_HEAD` values of each), and the running
     statistics after the update;
  2. evaluation mode on the same x with those statistics: y_eval.

Also saved: the state_dict names in order and the parameter counts of the
WRN-28-2 with PyTorch's 10-class fc (the literature's 1.47 M) and with the
128-d embedding head.
"""

import argparse
import json
import math
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F

N, SIZE, LOW_DIM = 4, 8, 16
SLOPE = 0.1
GRAD_HEAD = 256
GRADS = [
    "conv1.weight",
    "block1.layer.0.bn1.weight",
    "block1.layer.0.convShortcut.weight",
    "block1.layer.1.conv2.weight",
    "block2.layer.0.conv1.weight",
    "block2.layer.0.bn1.bias",
    "block3.layer.3.conv2.weight",
    "bn1.weight",
    "bn1.bias",
    "linear.weight",
    "linear.bias",
]
RUNNING = ["block1.layer.0.bn1.running_mean", "block2.layer.0.bn1.running_var", "bn1.running_mean", "bn1.running_var"]


class Block(nn.Module):
    """Pre-activation basic block (bn1, conv1, bn2, conv2, convShortcut)."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.bn1 = nn.BatchNorm2d(cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.convShortcut = nn.Conv2d(cin, cout, 1, stride, 0, bias=False) if cin != cout else None

    def forward(self, x):
        a = F.leaky_relu(self.bn1(x), SLOPE)
        out = self.conv2(F.leaky_relu(self.bn2(self.conv1(a)), SLOPE))
        return out + (self.convShortcut(a) if self.convShortcut is not None else x)


class Group(nn.Module):
    def __init__(self, cin, cout, stride, n):
        super().__init__()
        self.layer = nn.Sequential(*[Block(cin if i == 0 else cout, cout, stride if i == 0 else 1) for i in range(n)])

    def forward(self, x):
        return self.layer(x)


class WRNEncoder(nn.Module):
    def __init__(self, cin=3, depth=28, k=2, out=LOW_DIM, head="linear"):
        super().__init__()
        n = (depth - 4) // 6
        self.conv1 = nn.Conv2d(cin, 16, 3, 1, 1, bias=False)
        self.block1 = Group(16, 16 * k, 1, n)
        self.block2 = Group(16 * k, 32 * k, 2, n)
        self.block3 = Group(32 * k, 64 * k, 2, n)
        self.bn1 = nn.BatchNorm2d(64 * k)
        setattr(self, head, nn.Linear(64 * k, out))
        self.head = head

    def features(self, x):
        out = self.block3(self.block2(self.block1(self.conv1(x))))
        out = F.leaky_relu(self.bn1(out), SLOPE)
        return F.adaptive_avg_pool2d(out, 1).flatten(1)

    def forward(self, x):
        f = self.features(x)
        return f, F.normalize(getattr(self, self.head)(f), dim=1)


def lcg(seed, n):
    s = seed & 0xFFFFFFFF
    out = []
    for _ in range(n):
        s = (1664525 * s + 1013904223) & 0xFFFFFFFF
        out.append((s >> 8) / float(1 << 23) - 1.0)
    return out


def fill(name, shape, base, scale):
    n = math.prod(shape)
    vals = [base + scale * u for u in lcg(zlib.crc32(name.encode()), n)]
    return torch.tensor(vals, dtype=torch.float32).view(shape)


def base_scale(name, t):
    if name.endswith("running_mean"):
        return 0.0, 0.1
    if name.endswith("running_var"):
        return 1.0, 0.25
    if name == "linear.weight":
        return 0.0, math.sqrt(6.0 / (t.shape[0] + t.shape[1]))
    if t.dim() == 4:  # conv weight [K,C,R,S]: fan_out = K·R·S
        return 0.0, math.sqrt(6.0 / (t.shape[0] * t.shape[2] * t.shape[3]))
    if name.endswith("weight"):  # BN γ
        return 1.0, 0.2
    return 0.0, 0.1  # BN β, the head's bias


def flat(t, n=None):
    v = t.detach().reshape(-1).tolist()
    return v[:n] if n else v


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="nn/testdata/wrn28_2.json")
    args = ap.parse_args()

    model = WRNEncoder()
    sd = model.state_dict()
    for name, t in sd.items():
        if name.endswith("num_batches_tracked"):
            continue
        base, scale = base_scale(name, t)
        t.copy_(fill(name, tuple(t.shape), base, scale))
    model = model.double().train()
    x = fill("input", (N, 3, SIZE, SIZE), 0.0, 2.0).double().requires_grad_(True)
    r = fill("r", (N, LOW_DIM), 0.0, 1.0).double()

    feat, y = model(x)
    (y * r).sum().backward()
    params = dict(model.named_parameters())
    grads = {k: flat(params[k].grad, GRAD_HEAD) for k in GRADS}
    state = model.state_dict()
    running = {k: flat(state[k]) for k in RUNNING}
    model.eval()
    with torch.no_grad():
        _, y_eval = model(x)

    count = lambda m: sum(p.numel() for p in m.parameters())
    golden = {
        "about": "written by scripts/wrn_fixtures.py on PyTorch %s (float64)" % torch.__version__,
        "n": N, "size": SIZE, "low_dim": LOW_DIM, "slope": SLOPE,
        "names": list(sd.keys()),
        "params_fc10": count(WRNEncoder(out=10, head="fc")),
        "params_embed128": count(WRNEncoder(out=128)),
        "params_embed128_grey": count(WRNEncoder(cin=1, out=128)),
        "feat": flat(feat), "y": flat(y), "dx": flat(x.grad),
        "grads": grads, "running": running, "y_eval": flat(y_eval),
    }
    with open(args.out, "w") as f:
        json.dump(golden, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
