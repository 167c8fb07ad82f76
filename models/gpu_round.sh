#!/bin/bash
# One round of training on a lent GPU machine (this workplace's `device` tool), as run on 2026-12-04 (second round, 16:08; the first round's runs are in models/README.md):
# detector and classifier runs side by side, train only; tune, evaluate and export afterwards on the CPU
# machine with the same arguments and --resume (models/README.md). The data travels in an ignored folder:
#   echo /.gpudata/ >> .git/info/exclude; mkdir -p .gpudata; cp -r ../shared/datasets .gpudata/
#   (drop cbc-complete and cbc/Testing: training never reads them; the tree that travels is limited to 64 MiB)
# then: device run  `bash models/gpu_round.sh 2>&1`  carry [".gpudata"].
# Env: GUARD (seconds before every run is stopped, 490). Checkpoints and logs come back in $OUT.
# This round: 426 s on the H200, detectors 27 s per epoch, classifiers 10-11 s per epoch, five runs side by side.
set -u
export PYTHONUNBUFFERED=1 SMEARCOUNT_DATA=$PWD/.gpudata/datasets
R=/tmp/gpuruns; mkdir -p $R
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch,torchvision;print('torch',torch.__version__,'tv',torchvision.__version__,'cuda',torch.cuda.is_available())"
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader -l 30 > $R/smi.log 2>&1 &
SMI=$!; P=""
FT="--init-from-onnx models/smearcount-frcnn.onnx --lr 6e-4 --warmup-iters 50 --p-mosaic 0.5 --border-labels models/cbc-border-labels.json"
COMMON="--crop 448 --epochs 7 --train-only --workers 3 --threads 1 --device cuda --run-dir $R"
python3 -m models.train $FT --colour variants $COMMON --name blvar > $R/blvar.out 2>&1 & P="$P $!"
python3 -m models.train $FT --colour cast $COMMON --name blcast > $R/blcast.out 2>&1 & P="$P $!"
CLS="--epochs 40 --workers 2 --threads 1 --device cuda --run-dir $R --out-dir $R/out"
python3 -m models.differential $CLS --defocus 2.0 --name d20 > $R/d20.out 2>&1 & P="$P $!"
python3 -m models.differential $CLS --defocus 3.0 --name d30 > $R/d30.out 2>&1 & P="$P $!"
python3 -m models.differential $CLS --defocus 3.0 --seed 21 --name d30s21 > $R/d30s21.out 2>&1 & P="$P $!"
( sleep ${GUARD:-490}; echo GUARD fired; kill $P ) & G=$!
sleep 45; tail -n 2 $R/*.out
wait $P
kill $SMI $G 2>/dev/null
for n in blvar blcast; do cp $R/$n/checkpoint.pth $OUT/$n.pth 2>/dev/null; done
tar cf $OUT/runs.tar --exclude='*.pth' -C $R .
tar cf $OUT/cls.tar -C $R d20/checkpoint.pth d30/checkpoint.pth d30s21/checkpoint.pth
tail -n 3 $R/*.out; tail -n 20 $R/smi.log
ls -la $OUT
