#!/usr/bin/python3
"""Times torchvision's PIL training pipeline (the reference's, twostage_ref.py) on one core:
two augmented views per image of the first N CIFAR-10 test images, as Pairs.__getitem__ makes
them. Prints one line: `torchvision pairs/s <value>`.

  /usr/bin/python3 scripts/bench_data_peer.py <cifar10 dir> [seconds] [images]
"""
import os, sys, time
import numpy as np
import torch
import torchvision
import torchvision.transforms as T
from PIL import Image


def main():
    d = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 1000
    torch.set_num_threads(1)
    torch.manual_seed(1)
    raw = np.fromfile(os.path.join(d, "test_batch.bin"), dtype=np.uint8, count=3073 * n).reshape(n, 3073)
    x = raw[:, 1:].reshape(n, 3, 32, 32).transpose(0, 2, 3, 1).copy()  # HWC, as PIL wants
    mean, std = (0.4914, 0.4822, 0.4465), (0.2023, 0.1994, 0.2010)
    tf = T.Compose([T.RandomResizedCrop(32, scale=(0.2, 1.)), T.ColorJitter(0.4, 0.4, 0.4, 0.4),
                    T.RandomGrayscale(p=0.2), T.RandomHorizontalFlip(), T.ToTensor(), T.Normalize(mean, std)])
    for i in range(50):  # warm up
        tf(Image.fromarray(x[i]))
    pairs, t0 = 0, time.perf_counter()
    while True:
        for i in range(n):
            img = Image.fromarray(x[i])
            v1, v2 = tf(img), tf(img)
            pairs += 1
            if pairs % 100 == 0 and time.perf_counter() - t0 >= seconds:
                break
        else:
            continue
        break
    dt = time.perf_counter() - t0
    print(f"torchvision {torchvision.__version__} torch {torch.__version__}: {pairs} pairs in {dt:.2f} s")
    print(f"torchvision pairs/s {pairs / dt:.1f}")


if __name__ == "__main__":
    main()
