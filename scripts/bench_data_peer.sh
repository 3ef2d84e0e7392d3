#!/usr/bin/env bash
# bench_data_peer.sh - the training pipeline's speed beside torchvision's, per core, same run.
#
# Times two augmented 32x32 views per image (RandomResizedCrop(32, (0.2,1)), ColorJitter(0.4 x4),
# RandomGrayscale(0.2), RandomHorizontalFlip, ToTensor, Normalize) over the first 1,000 CIFAR-10
# test images, one core each, one after the other:
#   Go:          go test ./data -bench TrainPipeline (one goroutine, data.Augment.Apply)
#   torchvision: scripts/bench_data_peer.py (Debian's python3-torchvision, PIL images, 1 thread)
# and prints both rates and their ratio. The goal of issue 3 is a ratio of at least 2.
#
#   scripts/bench_data_peer.sh [cifar10 dir] [seconds per side]
# Installs python3-torchvision with apt-get when /usr/bin/python3 cannot import it (large).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=${1:-${SHARED_DIR:-../shared}/data/cifar10}
SECS=${2:-5}
[[ -f $DIR/test_batch.bin ]] || { echo "bench_data_peer: no $DIR/test_batch.bin (HINT: pass the CIFAR-10 directory)" >&2; exit 1; }
if ! /usr/bin/python3 -c 'import torchvision' 2>/dev/null; then
  echo "bench_data_peer: installing python3-torchvision (Debian)" >&2
  apt-get install -y python3-torchvision >/dev/null
fi
export SHARED_DIR=$(cd "$DIR/../.." && pwd)
go_line=$(GOMAXPROCS=1 go test ./data/ -run '^$' -bench '^BenchmarkTrainPipeline$' -benchtime "${SECS}s" | grep '^BenchmarkTrainPipeline')
py_out=$(/usr/bin/python3 scripts/bench_data_peer.py "$DIR" "$SECS" 1000)
go_rate=$(awk '{for (i = 1; i < NF; i++) if ($(i+1) == "pairs/s") print $i}' <<<"$go_line")
py_rate=$(awk '/^torchvision pairs\/s/ {print $3}' <<<"$py_out")
echo "go:          $go_line"
echo "torchvision: $(head -1 <<<"$py_out")"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v g="$go_rate" -v p="$py_rate" 'BEGIN { printf "pairs/s per core: go %.0f, torchvision %.0f, ratio %.2f\n", g, p, g / p }'
