#!/usr/bin/env bash
# Fine-tuning with few labels: one command per row of the paper's Table 4
# (full schedule, GPU work) and of this project's reduced schedule (2 cores).
#
#   bash scripts/finetune_table.sh list              # print every row's command
#   bash scripts/finetune_table.sh ROW [FLAG...]     # run one row (flags appended)
#
# Rows of the reduced schedule (Fashion-MNIST, the main job's data: the first
# 5,000 training images, width 8, 100 labels, cmd/finetune's cpu preset),
# METHOD one of supervised, pi, meanteacher; the "ours" rows start from the
# main job's stage-2 checkpoint (bash scripts/quickstart.sh first), the
# "scratch" rows from a fresh encoder; SEED picks the labelled images too, so
# the two rows of a seed train on the same labels:
#
#   cpu-ours-METHOD-SEED      cpu-scratch-METHOD-SEED
#
# Rows of Table 4 (WideResNet-28-2; supplementary §B: 180 epochs, SGD
# Nesterov 0.9, lr 0.005 on CIFAR-10 and 0.001 on SVHN, ×0.1 every 40 epochs
# after the first 80, 4,000 / 1,000 labels; the main experiment's
# augmentation, SVHN's with the affine transform instead of the flip), each
# with and without the two-stage pretraining (pretrain-DATA runs stages 1
# and 2 with --network wrn28_2 first):
#
#   pretrain-cifar10          pretrain-svhn
#   cifar10-ours-METHOD       cifar10-scratch-METHOD
#   svhn-ours-METHOD          svhn-scratch-METHOD
#
# Every run writes runs/finetune/ROW/ (labels.csv, metrics.jsonl,
# finetune.png, finetune.safetensors) and ends its stdout with the JSON line
# whose test_acc is the row's number (the teacher's for meanteacher).
set -euo pipefail
cd "$(dirname "$0")/.."

QUICK=${QUICK:-runs/quickstart} # the main job's MODEL_DIR

# command ROW prints the command line of ROW (nothing for an unknown row).
command_of() {
	local row=$1 out="runs/finetune/$1"
	case $row in
	cpu-ours-*-* | cpu-scratch-*-*)
		local rest=${row#cpu-} kind method seed
		kind=${rest%%-*} rest=${rest#*-}
		method=${rest%-*} seed=${rest##*-}
		local from="$QUICK/stage2_best.safetensors"
		[ "$kind" = scratch ] && from=scratch
		echo "go run ./cmd/finetune --preset cpu --from $from --method $method --seed $seed --model_dir $out"
		;;
	pretrain-cifar10 | pretrain-svhn)
		local ds=${row#pretrain-} dir="runs/finetune/pretrain-${row#pretrain-}"
		echo "go run -tags cuda ./cmd/superand --device cuda --dataset $ds --download --network wrn28_2 --model_dir $dir &&" \
			"go run -tags cuda ./cmd/stage2 --device cuda --dataset $ds --model_dir $dir --resume $dir/superand.safetensors"
		;;
	cifar10-*-* | svhn-*-*)
		local ds=${row%%-*} rest=${row#*-} kind method
		kind=${rest%%-*} method=${rest#*-}
		local labels=4000 lr=0.005
		[ "$ds" = svhn ] && labels=1000 lr=0.001
		local from="runs/finetune/pretrain-$ds/stage2_best.safetensors" net=""
		[ "$kind" = scratch ] && from=scratch net="--network wrn28_2 "
		echo "go run -tags cuda ./cmd/finetune --device cuda --dataset $ds --download --from $from ${net}--method $method" \
			"--labels $labels --lr $lr --epochs 180 --lr_decay_start 40 --lr_decay_every 40 --model_dir $out"
		;;
	esac
}

rows() {
	for m in supervised pi meanteacher; do
		for s in 1 2 3; do echo "cpu-ours-$m-$s cpu-scratch-$m-$s"; done
	done
	echo "pretrain-cifar10 pretrain-svhn"
	for ds in cifar10 svhn; do
		for m in supervised pi meanteacher; do echo "$ds-ours-$m $ds-scratch-$m"; done
	done
}

case ${1:-list} in
list)
	for r in $(rows); do printf '%-26s %s\n' "$r" "$(command_of "$r")"; done
	;;
*)
	cmd=$(command_of "$1")
	[ -n "$cmd" ] || { echo "unknown row $1; HINT: bash $0 list" >&2; exit 2; }
	shift
	mkdir -p "runs/finetune"
	echo "+ $cmd $*" >&2
	eval "$cmd" '"$@"'
	;;
esac
