"""Each entry point in models/ run where the datasets are not (a fresh clone without ../shared/datasets,
or $SMEARCOUNT_DATA pointing at the wrong folder) ends with one line that names what is missing and the
variable to set, exit code 1: no traceback, and no FileNotFoundError from deep inside torchvision."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

ENTRY_POINTS = [
    ["make_scale_sets", "--out", "{tmp}/o"],
    ["make_unseen_cells", "--out", "{tmp}/o"],
    ["make_framed_cells", "--out", "{tmp}/o"],
    ["make_cast_sets", "--out", "{tmp}/o"],
    ["make_clump_sets", "--out", "{tmp}/o"],
    ["make_speck_sets", "--out", "{tmp}/o"],
    ["make_stress_sets", "--out", "{tmp}/o"],
    ["border_labels", "--out", "{tmp}/o.json"],
    ["wbc_split", "--out", "{tmp}/o"],
    ["differential", "--out-dir", "{tmp}/o", "--run-dir", "{tmp}/r"],
    ["train", "--out-dir", "{tmp}/o", "--run-dir", "{tmp}/r"],
    ["platelet_verifier", "dump", "--out", "{tmp}/o"],
    ["quantize_int8", "sets", "--out", "{tmp}/o"],
]


@pytest.mark.parametrize("argv", ENTRY_POINTS, ids=[a[0] + ("-" + a[1] if not a[1].startswith("-") else "") for a in ENTRY_POINTS])
def test_missing_data_is_one_clear_line(argv, tmp_path):
    empty = tmp_path / "datasets"
    empty.mkdir()
    env = {**os.environ, "SMEARCOUNT_DATA": str(empty)}
    args = [a.format(tmp=tmp_path) for a in argv]
    r = subprocess.run([sys.executable, "-m", f"models.{args[0]}", *args[1:]], cwd=REPO, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 1, r.stderr[-2000:]
    assert "Traceback" not in r.stderr, r.stderr[-2000:]
    last = r.stderr.strip().splitlines()[-1]
    assert last.startswith("error: "), r.stderr[-2000:]
    assert str(empty) in last and "SMEARCOUNT_DATA" in last, last


def _entry_modules():
    return sorted(p.stem for p in (REPO / "models").glob("*.py")
                  if not p.stem.startswith("test_") and "\nif __name__ == \"__main__\":" in p.read_text())


def _tracked_state():
    """Size and mtime of every file under models/ that git tracks: what a --help must not touch."""
    out = subprocess.run(["git", "ls-files", "models"], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return {f: ((REPO / f).stat().st_mtime_ns, (REPO / f).stat().st_size) for f in out.split() if (REPO / f).is_file()}


def test_every_entry_point_answers_help_with_its_usage_and_does_nothing_else():
    """`--help` on each `python -m models.X` prints a usage line and exits 0 without running: flops used to
    build two detectors and print their figures, mirror rewrote the committed test vectors, and optimize_onnx
    exited 1 with a one-line usage."""
    modules = _entry_modules()
    assert {"train", "differential", "mirror", "flops", "optimize_onnx", "count_study"} <= set(modules), modules
    before = _tracked_state()
    for m in modules:
        r = subprocess.run([sys.executable, "-m", f"models.{m}", "--help"], cwd=REPO, capture_output=True,
                           text=True, timeout=300)
        assert r.returncode == 0, (m, r.stderr[-2000:])
        assert r.stdout.startswith("usage: "), (m, r.stdout[:300])
    assert _tracked_state() == before


def test_count_study_dump_reads_the_shipped_detector_when_no_model_is_named():
    """`count_study dump --out X` with neither --checkpoint nor --onnx used to end in a TypeError from
    onnx.load(None); the shipped detector is now the default, and naming both is refused."""
    from models.count_study import main  # noqa: F401  (imports cleanly)
    r = subprocess.run([sys.executable, "-m", "models.count_study", "dump", "--checkpoint", "a.pth", "--onnx", "b.onnx",
                        "--out", "x.pkl"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "not allowed with argument" in r.stderr, r.stderr[-1000:]
    import models.count_study as cs
    seen = {}
    real = cs.dump
    try:
        cs.dump = lambda a: seen.update(vars(a))
        old = sys.argv
        sys.argv = ["count_study", "dump", "--out", "x.pkl"]
        cs.main()
    finally:
        cs.dump = real
        sys.argv = old
    assert seen["checkpoint"] is None
    assert Path(seen["onnx"]) == REPO / "models" / "smearcount-frcnn.onnx" and Path(seen["onnx"]).is_file()
