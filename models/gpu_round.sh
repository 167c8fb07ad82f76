#!/bin/bash
# One round of training on a lent GPU machine (this workplace's `device` tool), as run on 2026-12-04 (third round, 19:00: the stride-4 level, `--p2`; the earlier rounds' runs are in models/README.md):
# detector and classifier runs side by side, train only; tune, evaluate and export afterwards on the CPU
# machine with the same arguments and --resume (models/README.md). The data travels in an ignored folder:
#   echo /.gpudata/ >> .git/info/exclude; mkdir -p .gpudata; cp -r ../shared/datasets .gpudata/
#   (drop cbc-complete and cbc/Testing: training never reads them; the tree that travels is limited to 64 MiB)
# then: device run  `bash models/gpu_round.sh 2>&1`  carry [".gpudata"].
# Env: GUARD (seconds before every run is stopped, 490), LONG (the long runs' --time-budget, 380), ROUND=loo
# (the leave-one-out pair instead). Checkpoints and logs come back in $OUT.
# This round: 426 s on the H200, detectors 27 s per epoch, classifiers 10-11 s per epoch, five runs side by side.
set -u
export PYTHONUNBUFFERED=1 SMEARCOUNT_DATA=$PWD/.gpudata/datasets
R=/tmp/gpuruns; mkdir -p $R
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python3 -c "import torch,torchvision;print('torch',torch.__version__,'tv',torchvision.__version__,'cuda',torch.cuda.is_available())"
nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader -l 30 > $R/smi.log 2>&1 &
SMI=$!; P=""
if [ "${ROUND:-train}" = loo ]; then
  # Leave-one-microscope-out from scratch, with and without the stride-4 level (the runs of the README's
  # leave-one-out tables: 4 epochs at 320 px, variants recipe); 2026-12-04 19:15.
  LOO="--epochs 4 --crop 320 --warmup-iters 100 --p-mosaic 0.3 --lr 0.002 --colour variants --train-only --workers 3 --threads 1 --device cuda --run-dir $R"
  for h in pbc bcd; do
    python3 -m models.train $LOO --holdout $h --name loo-$h-var > $R/loo-$h-var.out 2>&1 & P="$P $!"
    python3 -m models.train $LOO --holdout $h --p2 --name loo-$h-p2 > $R/loo-$h-p2.out 2>&1 & P="$P $!"
  done
  NAMES="loo-pbc-var loo-pbc-p2 loo-bcd-var loo-bcd-p2"
else
  FT="--init-from-onnx models/smearcount-frcnn.onnx --lr 6e-4 --warmup-iters 50 --p-mosaic 0.5 --p2"
  COMMON="--crop 448 --train-only --workers 3 --threads 1 --device cuda --run-dir $R"
  python3 -m models.train $FT --colour cast --epochs 7 $COMMON --name p2cast7 > $R/p2cast7.out 2>&1 & P="$P $!"
  python3 -m models.train $FT --colour variants --epochs 7 $COMMON --name p2var7 > $R/p2var7.out 2>&1 & P="$P $!"
  python3 -m models.train $FT --colour cast --time-budget ${LONG:-380} $COMMON --name p2castL > $R/p2castL.out 2>&1 & P="$P $!"
  python3 -m models.train $FT --colour variants --time-budget ${LONG:-380} $COMMON --name p2varL > $R/p2varL.out 2>&1 & P="$P $!"
  NAMES="p2cast7 p2var7 p2castL p2varL"
fi
( sleep ${GUARD:-490}; echo GUARD fired; kill $P ) & G=$!
sleep 45; tail -n 2 $R/*.out
wait $P
kill $SMI $G 2>/dev/null
for n in $NAMES; do cp $R/$n/checkpoint.pth $OUT/$n.pth 2>/dev/null; done
tar cf $OUT/runs.tar --exclude='*.pth' -C $R .
tail -n 3 $R/*.out; tail -n 20 $R/smi.log
ls -la $OUT
