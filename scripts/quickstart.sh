#!/usr/bin/env bash
# The main job end to end on a fresh Debian machine with no GPU: both stages of
# the two-stage classifier on Fashion-MNIST with the cpu preset, then the final
# accuracy, NMI and ARI of stage 2.
#
#   bash scripts/quickstart.sh [MODEL_DIR [FLAG...]]   (default: runs/quickstart)
#
# Flags after the directory go to every command, so only flags that both
# stages take (e.g. --seed 2, --threads 1). It ends
# with a summary and, as its last line of standard output, one JSON object
# (acc, nmi, ari, test_acc, test_nmi, test_ari, kmeans_pixels_test_acc,
# knn_top1, seconds); everything is also in MODEL_DIR/result.txt.
#
# It installs Debian's dataset-fashion-mnist package when the data is missing
# (as root, or through sudo), and uses Go from PATH or /usr/local/go.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"
dir=${1:-runs/quickstart}
shift || true
data=/usr/share/datasets/fashion-mnist

if [[ ! -f $data/train-images-idx3-ubyte.gz ]]; then
  echo "quickstart: installing Debian's dataset-fashion-mnist into $data" >&2
  sudo=""
  [[ $(id -u) == 0 ]] || sudo=sudo
  $sudo apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dataset-fashion-mnist >/dev/null
fi
command -v go >/dev/null || { echo "quickstart: Go not found (install Go 1.26 or later)" >&2; exit 1; }

start=$SECONDS
mkdir -p "$dir"
go build -o "$dir/bin/" ./cmd/superand ./cmd/stage2 ./cmd/report
echo "== stage 1: Super-AND embedding (cpu preset)" >&2
"$dir/bin/superand" --preset cpu --model_dir "$dir" "$@" | tee "$dir/stage1.txt" >/dev/null
echo "== stage 2: normalised-FC heads, IIC + consistency (cpu preset)" >&2
"$dir/bin/stage2" --preset cpu --model_dir "$dir" --resume "$dir/superand.safetensors" "$@" | tee "$dir/stage2.txt" >/dev/null
echo "== baseline: k-means on the raw pixels of the same images" >&2
"$dir/bin/stage2" --preset cpu --model_dir "$dir" --assign kmeans --features pixels "$@" | tee "$dir/kmeans_pixels.txt" >/dev/null

# The last line of each command is its JSON result; report prints the
# summary and, as its last line, the job's JSON result.
"$dir/bin/report" --stage1 "$dir/stage1.txt" --stage2 "$dir/stage2.txt" --baseline "$dir/kmeans_pixels.txt" \
  --seconds $((SECONDS - start)) | tee "$dir/result.txt"
