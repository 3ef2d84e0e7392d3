#!/usr/bin/env bash
# The main job end to end on a fresh Debian machine with no GPU: both stages of
# the two-stage classifier on Fashion-MNIST with the cpu preset, then the final
# accuracy, NMI and ARI of stage 2.
#
#   bash scripts/quickstart.sh [MODEL_DIR]     (default: runs/quickstart)
#
# It installs Debian's dataset-fashion-mnist package when the data is missing
# (as root, or through sudo), and uses Go from PATH or /usr/local/go.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export PATH="$PATH:/usr/local/go/bin"
dir=${1:-runs/quickstart}
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
go build -o "$dir/bin/" ./cmd/superand ./cmd/stage2
echo "== stage 1: Super-AND embedding (cpu preset)" >&2
"$dir/bin/superand" --preset cpu --model_dir "$dir" | tee "$dir/stage1.txt" >/dev/null
echo "== stage 2: normalised-FC heads, IIC + consistency (cpu preset)" >&2
"$dir/bin/stage2" --preset cpu --model_dir "$dir" --resume "$dir/superand.safetensors" | tee "$dir/stage2.txt" >/dev/null

# The last line of each command is its JSON result.
s1=$(tail -n 1 "$dir/stage1.txt")
s2=$(tail -n 1 "$dir/stage2.txt")
python3 - "$s1" "$s2" $((SECONDS - start)) <<'PY' 2>/dev/null || { echo "stage 1: $s1"; echo "stage 2: $s2"; }
import json, sys
s1, s2, secs = json.loads(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
print(f"stage 1: best kNN top-1 {s1['best_knn_top1']:.4f} (test set)")
print(f"stage 2 (head {s2['head']}, {s2['dataset']} training images): accuracy {s2['acc']:.4f}  NMI {s2['nmi']:.4f}  ARI {s2['ari']:.4f}")
print(f"stage 2 on the test set: accuracy {s2['test_acc']:.4f}  NMI {s2['test_nmi']:.4f}  ARI {s2['test_ari']:.4f}")
print(f"total {secs // 60} min {secs % 60} s; outputs in the model directory")
PY
