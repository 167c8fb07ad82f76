#!/bin/bash
# One round of training on a lent GPU machine (this workplace's `device` tool), as run on 2026-12-04:
# detector and classifier runs side by side, train only; tune, evaluate and export afterwards on the CPU
# machine with the same arguments and --resume (models/README.md). The data travels in an ignored folder:
#   echo /.gpudata/ >> .git/info/exclude; mkdir -p .gpudata; cp -r ../shared/datasets .gpudata/
#   (drop cbc-complete: training never reads it; the tree that travels is limited to 64 MiB)
# then: device run  `bash models/gpu_round.sh 2>&1`  carry [".gpudata"].
# Env: BUDGET (detector seconds of training, 380), GUARD (seconds before every run is stopped, 470),
# NOCLS / NOSCR (skip the classifiers / the from-scratch detector). Checkpoints and logs come back in $OUT.
set -u
export PYTHONUNBUFFERED=1 SMEARCOUNT_DATA=$PWD/.gpudata/datasets
B=${BUDGET:-380}
R=/tmp/gpuruns; mkdir -p $R
nvidia-smi --query-gpu=name,memory.total --format=csv
python3 -c "import torch,torchvision,numpy,onnx;print('torch',torch.__version__,'tv',torchvision.__version__,'np',numpy.__version__,'cuda',torch.cuda.is_available())"
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader -l 30 > $R/smi.log 2>&1 &
SMI=$!; P=""
FT="--init-from-onnx models/smearcount-frcnn.onnx --lr 6e-4 --warmup-iters 50 --p-mosaic 0.5"
COMMON="--crop 448 --time-budget $B --train-only --workers 3 --threads 1 --device cuda --run-dir $R"
python3 -m models.train $FT --colour variants $COMMON --name ftvar > $R/ftvar.out 2>&1 & P="$P $!"
python3 -m models.train $FT --colour cast $COMMON --name ftcast > $R/ftcast.out 2>&1 & P="$P $!"
[ "${NOSCR:-}" ] || python3 -m models.train --colour variants $COMMON --name scrvar > $R/scrvar.out 2>&1 & P="$P $!"
CLS="--epochs 40 --workers 2 --threads 1 --device cuda --run-dir $R --out-dir $R/out"
[ "${NOCLS:-}" ] || python3 -m models.differential $CLS --name c40 > $R/c40.out 2>&1 & P="$P $!"
[ "${NOCLS:-}" ] || python3 -m models.differential $CLS --widths 24 48 96 192 --name w40 > $R/w40.out 2>&1 & P="$P $!"
( sleep ${GUARD:-470}; echo GUARD fired; kill $P ) & G=$!
sleep 60; tail -n 3 $R/*.out
wait $P
kill $SMI $G 2>/dev/null
for n in ftvar ftcast scrvar; do cp $R/$n/checkpoint.pth $OUT/$n.pth 2>/dev/null; done
tar cf $OUT/runs.tar --exclude='*.pth' -C $R .
[ "${NOCLS:-}" ] || tar cf $OUT/cls.tar -C $R c40/checkpoint.pth w40/checkpoint.pth
tail -n 4 $R/*.out; tail -n 20 $R/smi.log
ls -la $OUT
