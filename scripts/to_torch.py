#!/usr/bin/python3
"""Loads a checkpoint of this project into the authors' ResNet18withSobel and saves it as their .t7.

    /usr/bin/python3 scripts/to_torch.py runs/cifar10/superand.safetensors ckpt_embed.t7
    /usr/bin/python3 scripts/to_torch.py runs/cifar10/stage2.safetensors ckpt_ul.t7 [--legacy]

Our checkpoints name the encoder's tensors exactly as the authors' state_dict
does (conv1.weight, bn1.running_var, layer2.0.shortcut.0.weight,
conv1_sobel.weight, ..., linear.bias), so loading is
model.load_state_dict(ours + the model's own sobel.*), strict. The four
sobel.* entries (the fixed grey 1x1 conv, 1/3 each, and the x/y Sobel 3x3
conv, zero biases) are constants that our encoder computes and does not
store; they come from the model itself. Everything else in our file is
training state (optim.*, memory.bank, ans.*, heads.*), which this script maps
to the authors' layout:

  stage 1 (kind superand) -> {net, npc: {params [T, momentum], memory},
                              ANs_discovery: {samples_num, anchor_indexes,
                              instance_indexes, position, neighbours, entropy,
                              consistency}, acc, round, epoch}  (super_and.py)
  stage 2 (kind stage2)   -> {net, fc: {heads.<h>.weight}, acc_list}  (main.py)

The authors' model is theirs (models/resnet_cifar.py from their repository,
--authors_git); at another width than 64 it is built with the width shim of
scripts/torch_fixtures.py. --legacy writes the format of PyTorch < 1.6 (what
their PyTorch 1.1 reads); the default is the zip format. The file is written
to a temporary name and renamed, so an existing one is never left torn.
The safetensors file is parsed here (8-byte header length, JSON header, raw
little-endian data), so only torch is needed.
"""

import argparse
import collections
import json
import os
import struct
import sys
import tempfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_fixtures  # noqa: E402  (extract_authors, narrow)

DTYPES = {"F32": torch.float32, "F64": torch.float64, "F16": torch.float16, "BF16": torch.bfloat16,
          "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8,
          "BOOL": torch.bool}


def read_safetensors(path):
    """Returns ({name: tensor}, metadata) of a safetensors file."""
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        raw = bytearray(data[8 + n + b:8 + n + end])
        t = torch.frombuffer(raw, dtype=DTYPES[e["dtype"]]) if raw else torch.empty(0, dtype=DTYPES[e["dtype"]])
        out[name] = t.reshape(e["shape"]).clone()
    return out, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("src", help="a checkpoint of cmd/superand or cmd/stage2 (.safetensors)")
    ap.add_argument("dst", help="the .t7 to write")
    ap.add_argument("--authors_git", default="/work/.mirror/dscig+TwoStageUC/repo/.git",
                    help="the authors' repository (dscig/TwoStageUC) as a git directory")
    ap.add_argument("--legacy", action="store_true", help="the legacy format of PyTorch < 1.6")
    args = ap.parse_args()

    ts, meta = read_safetensors(args.src)
    kind = meta.get("kind")
    if kind not in ("superand", "stage2"):
        sys.exit("%s: kind %r, want a superand or stage2 checkpoint of this project" % (args.src, kind))
    if meta.get("network", "resnet18") != "resnet18":
        sys.exit("%s: a %s network, not the authors' ResNet18withSobel; its tensors carry the state_dict names of "
                 "WRNEncoder in scripts/wrn_fixtures.py, which loads them with load_state_dict" % (args.src, meta["network"]))
    width, low_dim = ts["conv1.weight"].shape[0], ts["linear.weight"].shape[0]
    if ts["conv1.weight"].shape[1] != 3:
        sys.exit("%s: %d input channels; the authors' ResNet18withSobel takes 3 (colour) images"
                 % (args.src, ts["conv1.weight"].shape[1]))
    if 64 % width:
        sys.exit("%s: width %d does not divide 64 (the shim scales the authors' 64..512 channels)" % (args.src, width))

    tmp = tempfile.mkdtemp(prefix="twostageuc-")
    torch_fixtures.extract_authors(args.authors_git, tmp)
    import models  # noqa: E402  (the authors' package)
    with torch_fixtures.narrow(width):
        net = models.__dict__["ResNet18withSobel"](low_dim=low_dim)

    training = ("optim.", "memory.", "ans.", "heads.")
    state = {k: v for k, v in ts.items() if not k.startswith(training)}
    for k, v in net.state_dict().items():
        if k.startswith("sobel."):
            state[k] = v  # the fixed filters: the model's own
    net.load_state_dict(state, strict=True)  # every name and shape must match theirs

    out = {"net": net.state_dict()}
    if kind == "superand":
        bank = ts["memory.bank"].float()
        n = bank.shape[0]
        pos = ts["ans.position"].long()
        k = int(meta.get("ans_size", "0"))
        anchors = int((pos >= 0).sum())
        anchor_idx = torch.empty(anchors, dtype=torch.long)
        anchor_idx[pos[pos >= 0]] = torch.nonzero(pos >= 0).view(-1)
        cfg = json.loads(meta.get("config", "{}"))
        out["npc"] = collections.OrderedDict(
            params=torch.tensor([cfg.get("NPCT", 0.1), cfg.get("NPCM", 0.5)]), memory=bank)
        out["ANs_discovery"] = collections.OrderedDict(
            samples_num=torch.tensor(n), anchor_indexes=anchor_idx,
            instance_indexes=torch.nonzero(pos < 0).view(-1), position=pos,
            neighbours=ts["ans.neighbours"].long().view(anchors, k) if anchors else torch.LongTensor([]),
            entropy=torch.zeros(n), consistency=torch.tensor(0.))
        # Our (round, epoch) is the next epoch to run; theirs the last one run.
        rnd, ep = int(meta.get("round", "0")), int(meta.get("epoch", "0"))
        if ep == 0 and rnd > 0:
            rnd, ep = rnd - 1, cfg.get("Epochs", 1)
        out.update(acc=float(meta.get("last_knn", "-1")), round=rnd, epoch=ep - 1)
    else:
        if json.loads(meta.get("config", "{}")).get("HeadNorm", "rows") != "rows":
            print("warning: %s normalised its heads' columns (--head_norm cols); the authors' _Head_fc "
                  "normalises rows, so their code will assign other clusters" % args.src, file=sys.stderr)
        fc = collections.OrderedDict()
        for name in sorted(k for k in ts if k.startswith("heads.")):
            fc[name] = ts[name].float()
        out["fc"] = fc
        out["acc_list"] = []
    fd, part = tempfile.mkstemp(prefix="to_torch_", suffix=".part", dir=os.path.dirname(os.path.abspath(args.dst)))
    os.close(fd)
    torch.save(out, part, _use_new_zipfile_serialization=not args.legacy)
    os.replace(part, args.dst)
    print("%s: %s checkpoint, width %d, low_dim %d -> %s (%s format): %d net entries, %s"
          % (args.src, kind, width, low_dim, args.dst, "legacy" if args.legacy else "zip", len(out["net"]),
             ", ".join(k for k in out if k != "net")))


if __name__ == "__main__":
    main()
