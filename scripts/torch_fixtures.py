#!/usr/bin/python3
"""Makes the PyTorch checkpoint fixtures of nn/testdata/torch with the authors' code.

    /usr/bin/python3 scripts/torch_fixtures.py [--authors_git DIR] [--out nn/testdata/torch]

Needs Debian's python3-torch (PyTorch 1.13) and the authors' repository
(dscig/TwoStageUC) as a git directory. It extracts their models/ and lib/,
builds their ResNet18withSobel at base width 2 instead of 64 (torch.nn's
Conv2d, BatchNorm2d and Linear are shimmed while it is built, so that every
channel count >= 64 is divided by 64/width; the code that runs is theirs),
and writes, as their super_and.py and main.py save them:

  stage1_legacy_cuda.t7  {net, npc, ANs_discovery, acc, round, epoch}: the
                         legacy format of PyTorch < 1.6, net saved through
                         DataParallel ("module." keys), and every storage
                         recorded as a CUDA one (torch.cuda.FloatStorage,
                         location cuda:0), as a file saved on a GPU is
  stage1_zip.t7          the same object in the zip format of PyTorch >= 1.6,
                         plain keys, host storages
  stage2_legacy.t7       {net, fc, acc_list} (main.py's ckpt_ul.t7), legacy
  stage2_zip_cuda.t7     the same, zip format, CUDA storages
  tiny_legacy.t7,        one small state dict of every storage type, a
  tiny_zip.t7,           transposed view and a strided slice sharing a
  tiny_zip_p4.t7         storage, legacy, zip and zip with pickle protocol 4
                         (values in nn/torchfile/read_test.go)
  expected.json          what the Go tests compare against: the width, the
                         images' generator, the embeddings of the test
                         images, the authors' kNN top-1 against the memory
                         bank, each head's cluster of every test image and
                         its accuracy by the authors' test() (all 40 images
                         and the first 20), and the anchors and neighbours
                         ANsDiscovery chose

Images come from a 32-bit LCG that the Go tests reimplement (lcg_images), so
no image file is committed. Everything is seeded: a rerun writes the same
tensors.
"""

import argparse
import collections
import contextlib
import io
import json
import os
import pickle
import subprocess
import sys
import tarfile
import tempfile
import types

import torch

WIDTH = 2        # base width of the towers (the authors: 64)
LOW_DIM = 16     # embedding size (the authors: 128)
CLASSES = 10
N_TRAIN = 256    # memory bank rows
N_TEST = 40
MEAN = (0.4914, 0.4822, 0.4465)  # CIFAR-10, as super_and.py
STD = (0.2023, 0.1994, 0.2010)


def lcg_images(n, seed):
    """n CIFAR-sized uint8 images and labels i % 10. Pixel p of image i
    (CHW order, channel c = p // 1024) is (s >> 25) + (37*i + 11*c + 53*label) % 128,
    s advancing as s = (1664525*s + 1013904223) mod 2^32 from s = seed*7919 + i:
    noise over a colour cast that differs between images, so that even a
    random encoder gives them different embeddings."""
    imgs = torch.empty(n, 3, 32, 32, dtype=torch.uint8)
    labels = [i % CLASSES for i in range(n)]
    for i in range(n):
        s = (seed * 7919 + i) & 0xFFFFFFFF
        vals = []
        for p in range(3 * 32 * 32):
            s = (1664525 * s + 1013904223) & 0xFFFFFFFF
            vals.append((s >> 25) + (37 * i + 11 * (p // 1024) + 53 * labels[i]) % 128)
        imgs[i] = torch.tensor(vals, dtype=torch.uint8).view(3, 32, 32)
    return imgs, labels


def normalise(imgs):
    x = imgs.float() / 255
    m = torch.tensor(MEAN).view(1, 3, 1, 1)
    s = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - m) / s


def min_cost_assignment(cost):
    """[(row, col)] minimising the sum of cost[row][col], one col per row."""
    n = len(cost)
    best = {0: (0.0, [])}  # columns used (bitmask) -> (cost, cols of rows 0..k-1)
    for r in range(n):
        nxt = {}
        for used, (c, cols) in best.items():
            for j in range(n):
                if not used >> j & 1:
                    k, v = used | 1 << j, c + float(cost[r][j])
                    if k not in nxt or v < nxt[k][0]:
                        nxt[k] = (v, cols + [j])
        best = nxt
    return [(r, j) for r, j in enumerate(best[(1 << n) - 1][1])]


def extract_authors(git_dir, dest):
    """Unpacks models/ and lib/ of the authors' HEAD into dest."""
    tar = subprocess.run(["git", "--git-dir", git_dir, "archive", "HEAD", "models", "lib"],
                         check=True, capture_output=True).stdout
    tarfile.open(fileobj=io.BytesIO(tar)).extractall(dest)
    # lib/protocols.py imports sklearn's long-removed linear_assignment_ at
    # module level for its Hungarian matching. Stand-in: the same contract
    # (the (row, col) pairs of a minimum-cost assignment of a square cost
    # matrix), solved exactly by dynamic programming over column subsets,
    # which is instant for 10 classes. Ties between optimal assignments do
    # not change the accuracy test() computes from it.
    stub = types.ModuleType("sklearn.utils.linear_assignment_")
    stub.linear_assignment = min_cost_assignment
    for name in ("sklearn", "sklearn.utils"):
        sys.modules.setdefault(name, types.ModuleType(name))
    sys.modules["sklearn.utils.linear_assignment_"] = stub
    sys.path.insert(0, dest)


@contextlib.contextmanager
def narrow(width):
    """While active, torch.nn.Conv2d/BatchNorm2d/Linear divide every channel
    count >= 64 by 64/width (image, grey and Sobel channels, < 64, stay)."""
    nn = torch.nn
    orig = nn.Conv2d, nn.BatchNorm2d, nn.Linear
    f = 64 // width
    sc = lambda c: c // f if c >= 64 else c
    class Conv2d(orig[0]):
        def __init__(self, cin, cout, *a, **k):
            super().__init__(sc(cin), sc(cout), *a, **k)
    class BatchNorm2d(orig[1]):
        def __init__(self, c, *a, **k):
            super().__init__(sc(c), *a, **k)
    class Linear(orig[2]):
        def __init__(self, cin, cout, *a, **k):
            super().__init__(sc(cin), cout, *a, **k)
    nn.Conv2d, nn.BatchNorm2d, nn.Linear = Conv2d, BatchNorm2d, Linear
    try:
        yield
    finally:
        nn.Conv2d, nn.BatchNorm2d, nn.Linear = orig


def cuda_pickle_module():
    """A pickle module for torch.save whose pickler records every storage as a
    CUDA one: the persistent id names torch.cuda.<T>Storage and location
    cuda:0. The storage bytes are the host ones, as on a GPU they would be
    the same bytes."""
    class Pickler(pickle._Pickler):
        def __setattr__(self, name, value):
            if name == "persistent_id":
                inner = value
                def value(obj):
                    pid = inner(obj)
                    if pid is None:
                        return None
                    pid = list(pid)
                    pid[1] = getattr(torch.cuda, pid[1].__name__)
                    pid[3] = "cuda:0"
                    return tuple(pid)
            super().__setattr__(name, value)
    mod = types.ModuleType("cuda_pickle")
    mod.Pickler, mod.Unpickler = Pickler, pickle.Unpickler
    mod.dump, mod.load, mod.dumps, mod.loads = pickle.dump, pickle.load, pickle.dumps, pickle.loads
    return mod


def tiny_state():
    """The tiny state dict; nn/torchfile/read_test.go spells out its values."""
    base = torch.arange(10.0)
    return collections.OrderedDict([
        ("f32_t", torch.arange(6.0).reshape(2, 3).t()),   # a transposed view, stride (1, 3)
        ("f32_slice", base[2:8:2]),                       # offset 2, stride 2
        ("f32_base", base),                               # the storage the slice shares
        ("f64", torch.tensor([1.5, -2.25], dtype=torch.float64)),
        ("f16", torch.tensor([0.5, -65504.0, 2.0 ** -24], dtype=torch.float16)),
        ("bf16", torch.tensor([1.0, -3.0], dtype=torch.bfloat16)),
        ("i64", torch.tensor(3)),
        ("i32", torch.tensor([-7, 70000], dtype=torch.int32)),
        ("i16", torch.tensor([-300], dtype=torch.int16)),
        ("i8", torch.tensor([-128, 127], dtype=torch.int8)),
        ("u8", torch.tensor([0, 255], dtype=torch.uint8)),
        ("bool", torch.tensor([True, False])),
        ("empty", torch.zeros(0, 4, dtype=torch.long)),
    ])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--authors_git", default="/work/.mirror/dscig+TwoStageUC/repo/.git")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "nn", "testdata", "torch"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix="twostageuc-")
    extract_authors(args.authors_git, tmp)
    import models  # noqa: E402  (the authors' package, just extracted)
    from lib.non_parametric_classifier import NonParametricClassifier
    from lib.ans_discovery import ANsDiscovery
    from lib.protocols import kNN, test

    torch.manual_seed(1567010775)  # the authors' default seed
    with narrow(WIDTH):
        net = models.__dict__["ResNet18withSobel"](low_dim=LOW_DIM)
    # Batch-norm statistics and affine parameters away from their initial
    # values, so that a reader that skipped them would give other embeddings.
    g = torch.Generator().manual_seed(7)
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            c = m.num_features
            m.weight.data = 0.5 + torch.rand(c, generator=g)
            m.bias.data = 0.1 * torch.randn(c, generator=g)
            m.running_mean.data = 0.1 * torch.randn(c, generator=g)
            m.running_var.data = 0.5 + torch.rand(c, generator=g)
            m.num_batches_tracked.fill_(7)
    net.eval()

    train_img, train_lab = lcg_images(N_TRAIN, 1)
    test_img, test_lab = lcg_images(N_TEST, 2)
    # A random encoder maps every image near one direction (the pooled ReLU
    # features share a large mean), which would make every head put every
    # image in one cluster. Centre the projection on the training images'
    # mean feature, as training would: linear.bias = -W·mean(features).
    feats = []
    hook = net.linear.register_forward_hook(lambda m, inp, out: feats.append(inp[0]))
    with torch.no_grad():
        net(normalise(train_img))
        hook.remove()
        net.linear.bias.copy_(-net.linear.weight @ feats[0].mean(0))
    with torch.no_grad():
        bank = net(normalise(train_img))
        emb = net(normalise(test_img))

    npc = NonParametricClassifier(LOW_DIM, N_TRAIN, 0.1, 0.5)
    npc.memory.copy_(bank)
    ans = ANsDiscovery(N_TRAIN, 0.25, 1, "cpu")
    ans.update(1, npc, torch.tensor(train_lab))

    class Loader(list):  # what kNN reads of a DataLoader: iteration and .dataset.targets
        pass
    trainloader = Loader()
    trainloader.dataset = types.SimpleNamespace(targets=train_lab)
    testloader = Loader([(normalise(test_img), torch.tensor(test_lab), torch.arange(N_TEST))])
    acc = kNN(net, npc, trainloader, testloader, K=200, sigma=0.1, recompute_memory=False, device="cpu")
    acc5 = kNN(net, npc, trainloader, testloader, K=5, sigma=0.1, recompute_memory=False, device="cpu")

    fc = models.Multi_head_fc(CLASSES, LOW_DIM)
    with torch.no_grad():
        heads = [o.argmax(1).tolist() for o in fc(emb)]
        probs = [o.max(1)[0].tolist() for o in fc(emb)]
    # main.py's evaluation: each head's Hungarian accuracy (in %) on the
    # images of its test loader (batches of (inputs, _, targets, indexes)),
    # here the test images, all 40 and the first 20 (--train_subset 20).
    def head_acc(n):
        x = normalise(test_img[:n])
        loader = [(x, x, torch.tensor(test_lab[:n]), torch.arange(n))]
        with torch.no_grad():
            return test(net, loader, "cpu", fc, CLASSES)
    acc_list, acc_list_20 = head_acc(N_TEST), head_acc(20)

    parallel = torch.nn.DataParallel(net)  # on the CPU it only renames: "module." keys
    stage1 = {"npc": npc.state_dict(), "ANs_discovery": ans.state_dict(), "acc": acc, "round": 1, "epoch": 4}
    stage2 = {"net": net.state_dict(), "fc": fc.state_dict(), "acc_list": acc_list}
    cuda = cuda_pickle_module()
    out = lambda n: os.path.join(args.out, n)
    torch.save(dict(stage1, net=parallel.state_dict()), out("stage1_legacy_cuda.t7"),
               pickle_module=cuda, _use_new_zipfile_serialization=False)
    torch.save(dict(stage1, net=net.state_dict()), out("stage1_zip.t7"))
    torch.save(stage2, out("stage2_legacy.t7"), _use_new_zipfile_serialization=False)
    torch.save(stage2, out("stage2_zip_cuda.t7"), pickle_module=cuda)

    tiny = {"state": tiny_state(), "n": 7, "x": -0.5, "s": "text", "l": [1, 2.5, None, True]}
    torch.save(tiny, out("tiny_legacy.t7"), _use_new_zipfile_serialization=False)
    torch.save(tiny, out("tiny_zip.t7"))
    torch.save(tiny, out("tiny_zip_p4.t7"), pickle_protocol=4)

    expected = {
        "about": "written by scripts/torch_fixtures.py with the authors' code (dscig/TwoStageUC) on PyTorch " + torch.__version__,
        "width": WIDTH, "low_dim": LOW_DIM, "classes": CLASSES, "mean": MEAN, "std": STD,
        "train": {"n": N_TRAIN, "seed": 1}, "test": {"n": N_TEST, "seed": 2},
        "test_embeddings": emb.flatten().tolist(),
        "knn_top1": acc, "knn_k": 200, "knn_sigma": 0.1, "knn_top1_k5": acc5,
        "anchors": ans.anchor_indexes.tolist(), "neighbours": ans.neighbours.flatten().tolist(),
        "head_clusters": heads, "head_max_prob": probs,
        "head_acc_percent": acc_list, "head_acc_percent_first20": acc_list_20,
    }
    with open(out("expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")
    for n in sorted(os.listdir(args.out)):
        print(n, os.path.getsize(out(n)))
    print("kNN top-1 %.4f (K=200), %.4f (K=5)" % (acc, acc5))


if __name__ == "__main__":
    main()
