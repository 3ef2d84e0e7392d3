#!/usr/bin/python3
"""Writes finetune/testdata/losses.json, the PyTorch golden of package finetune's losses.

    /usr/bin/python3 scripts/finetune_fixtures.py [--out finetune/testdata/losses.json]

Needs Debian's python3-torch (apt-get install -y python3-torch). Everything
runs in float64 on inputs that are exactly float32 values, so the golden is
the exact result our float32 code approximates (finetune/loss_test.go):

  * the consistency loss of the Π-model and Mean Teacher on logits a, b
    [N, C]: mse = ((softmax(a) - softmax(b))**2).mean(), i.e. Laine & Aila's
    1/(C|B|) sum ||z - z~||^2 and the Mean Teacher code's softmax_mse_loss
    (sum) / C / minibatch; with grad_a, grad_b of
    L = mse (both passes trainable, the Π-model) and grad_a of the same loss
    with b detached (Mean Teacher's teacher);
  * cross-entropy F.cross_entropy(a, y) (mean) and its gradient;
  * the Mean Teacher EMA update, as its code writes it:
        alpha = min(1 - 1/(global_step + 1), alpha)
        ema_param.data.mul_(alpha).add_(param.data, alpha=1 - alpha)
    in float32 (as PyTorch runs it on float32 parameters) for steps 0, 1, 5, 1000;
  * the Gaussian ramp-up exp(-5 (1 - t)^2) of Laine & Aila (the Mean
    Teacher code's sigmoid_rampup): w_max * sigmoid_rampup(epoch, rampup)
    at a few fractional epochs.
"""

import argparse
import json

import numpy as np
import torch
import torch.nn.functional as F


def f32(x):
    return torch.tensor(np.asarray(x, dtype=np.float32), dtype=torch.float64)


def sigmoid_rampup(current, rampup_length):
    """The Mean Teacher code's ramps.sigmoid_rampup."""
    if rampup_length == 0:
        return 1.0
    current = np.clip(current, 0.0, rampup_length)
    phase = 1.0 - current / rampup_length
    return float(np.exp(-5.0 * phase * phase))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="finetune/testdata/losses.json")
    args = ap.parse_args()
    rng = np.random.default_rng(17)
    n, c = 6, 5
    a = f32(rng.normal(0, 2, (n, c)))
    b = f32(rng.normal(0, 2, (n, c)))
    y = [int(v) for v in rng.integers(0, c, n)]

    # Π-model: both passes trainable.
    at, bt = a.clone().requires_grad_(), b.clone().requires_grad_()
    mse = ((F.softmax(at, 1) - F.softmax(bt, 1)) ** 2).mean()
    mse.backward()
    # Mean Teacher: the teacher's logits are a constant.
    am = a.clone().requires_grad_()
    ((F.softmax(am, 1) - F.softmax(b, 1).detach()) ** 2).mean().backward()
    # Cross-entropy on the labelled rows.
    ac = a.clone().requires_grad_()
    ce = F.cross_entropy(ac, torch.tensor(y))
    ce.backward()

    # EMA on float32 tensors, as PyTorch updates float32 parameters.
    teacher0 = rng.normal(0, 1, 7).astype(np.float32)
    student = rng.normal(0, 1, 7).astype(np.float32)
    ema = []
    for step, decay in [(0, 0.99), (1, 0.99), (5, 0.99), (1000, 0.999)]:
        alpha = min(1 - 1 / (step + 1), decay)
        t = torch.tensor(teacher0)
        t.mul_(alpha).add_(torch.tensor(student), alpha=1 - alpha)
        ema.append({"step": step, "decay": decay, "alpha": alpha, "teacher": t.tolist()})

    ramps = []
    for epoch, rampup, wmax in [(0.0, 80, 100.0), (10.5, 80, 100.0), (40.0, 80, 100.0), (79.9, 80, 100.0),
                                (80.0, 80, 100.0), (150.0, 80, 100.0), (3.0, 0, 30.0), (0.25, 2, 10.0)]:
        ramps.append({"t": epoch, "rampup": rampup, "wmax": wmax, "w": wmax * sigmoid_rampup(epoch, rampup)})

    out = {
        "n": n, "c": c, "a": a.flatten().tolist(), "b": b.flatten().tolist(), "y": y,
        "mse": mse.item(), "pi_grad_a": at.grad.flatten().tolist(), "pi_grad_b": bt.grad.flatten().tolist(),
        "mt_grad_a": am.grad.flatten().tolist(),
        "ce": ce.item(), "ce_grad": ac.grad.flatten().tolist(),
        "ema_teacher0": teacher0.tolist(), "ema_student": student.tolist(), "ema": ema,
        "ramps": ramps,
        "torch": torch.__version__,
    }
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
