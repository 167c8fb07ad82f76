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
