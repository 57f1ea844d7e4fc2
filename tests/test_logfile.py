"""The streamed log writer: what lands in the file (read back with pyarrow on its own), the
thinned plot copy kept beside it, and the pandas-free Arrow conversions."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from longwing.logs.logfile import (
    ROW_GROUP_ROWS,
    LogWriter,
    arrow_numbers,
    arrow_strings,
    numpy_of,
    read_columns,
)
from longwing.logs.logsample import LogSample

COLUMNS = ("t_s", "lat_rad", "alt_m", "roll_rad", "seq")


def _rows(n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n) * 0.1
    return np.column_stack([t, 0.8 + 1e-6 * t, 1500.0 + rng.normal(0, 30, n),
                            rng.uniform(-0.5, 0.5, n), np.arange(n) // 7])  # fmt: skip


def _write(path, data, modes, plot=("t_s", "alt_m", "mode"), plot_rows=500):
    w = LogWriter(path, COLUMNS, ("mode",), plot_columns=plot, plot_rows=plot_rows)
    start = 0
    for n, mode in modes:
        w.append(data[start : start + n], (mode,))
        start += n
    w.close()
    return w


def test_file_values_units_and_precision(tmp_path):
    rng = np.random.default_rng(3)
    data = _rows(40_000, rng)  # three row groups
    blocks = [(15_000, "AUTO"), (10_000, "RTL"), (15_000, "AUTO")]
    _write(tmp_path / "log.parquet", data, blocks)
    table = pq.read_table(tmp_path / "log.parquet")
    assert table.column_names == ["t_s", "lat_deg", "alt_m", "roll_deg", "seq", "mode"]
    assert table.schema.field("lat_deg").type == pa.float64()
    assert table.schema.field("alt_m").type == pa.float32()
    assert table.schema.field("seq").type == pa.int64()
    np.testing.assert_array_equal(table.column("lat_deg").to_numpy(), np.degrees(data[:, 1]))
    np.testing.assert_array_equal(table.column("seq").to_numpy(), data[:, 4].astype(np.int64))
    alt = table.column("alt_m").to_numpy().astype(np.float64)
    rel = np.abs(alt - data[:, 2]) / np.abs(data[:, 2])
    assert rel.max() <= 2.0**-16 * 1.0001  # 16 significant bits (15 stored), to nearest
    assert rel.max() > 2.0**-17  # and they are rounded (not float32 in full)
    roll = table.column("roll_deg").to_numpy().astype(np.float64)
    np.testing.assert_allclose(roll, np.degrees(data[:, 3]), rtol=2.0**-16 * 1.0001, atol=0)
    modes = table.column("mode").to_pylist()
    assert modes[:15_000] == ["AUTO"] * 15_000 and modes[15_000:25_000] == ["RTL"] * 10_000
    assert pq.ParquetFile(tmp_path / "log.parquet").metadata.num_row_groups == math.ceil(
        40_000 / ROW_GROUP_ROWS
    )


@pytest.mark.parametrize("n_rows", [1, 999, 1000, 1001, 40_000])
def test_plot_sample_is_every_kth_row_of_the_file(tmp_path, n_rows):
    rng = np.random.default_rng(n_rows)
    data = _rows(n_rows, rng)
    cuts = np.sort(rng.integers(0, n_rows, 6))
    sizes = np.diff(np.concatenate([[0], cuts, [n_rows]]))
    blocks = [(int(n), ("AUTO", "LOITER", "RTL")[i % 3]) for i, n in enumerate(sizes)]
    w = _write(tmp_path / "log.parquet", data, blocks, plot_rows=500)
    sample = w.plot_sample()
    table = pq.read_table(tmp_path / "log.parquet")
    k = w._sample.stride
    assert set(sample) == {"t_s", "alt_m", "mode"}
    assert 500 <= len(sample["t_s"]) <= 1000 or (k == 1 and len(sample["t_s"]) == n_rows)
    np.testing.assert_array_equal(sample["t_s"], table.column("t_s").to_numpy()[::k])
    np.testing.assert_array_equal(sample["alt_m"], table.column("alt_m").to_numpy()[::k])
    assert list(sample["mode"]) == table.column("mode").to_pylist()[::k]
    # the reader that thins the file gives the same rows at the same stride
    back = read_columns(tmp_path / "log.parquet", ["t_s", "mode"], max_rows=n_rows // k)
    np.testing.assert_array_equal(back["t_s"], sample["t_s"])
    assert list(back["mode"]) == list(sample["mode"])


def test_log_sample_block_larger_than_its_capacity():
    s = LogSample(("a", "b"), ("b",), (), max_rows=10)
    data = np.arange(2 * 1000, dtype=float).reshape(1000, 2)
    s.add(data)
    assert s.stride == 64 and s.held == 16
    np.testing.assert_array_equal(s.columns()["b"], data[::64, 1])
    with pytest.raises(ValueError, match="max_rows"):
        LogSample(("a",), ("a",), (), max_rows=0)


def test_arrow_conversions_without_pandas():
    code = (
        "import sys, numpy as np\n"
        "from longwing.logs.logfile import arrow_numbers, arrow_strings, numpy_of\n"
        "a = arrow_numbers(np.arange(5.0)).slice(1)\n"
        "assert list(numpy_of(a)) == [1.0, 2.0, 3.0, 4.0]\n"
        "assert arrow_strings(['x']).to_pylist() == ['x']\n"
        "assert 'pandas' not in sys.modules, 'pandas imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert arrow_strings(["AUTO", "", "Zürich"]).to_pylist() == ["AUTO", "", "Zürich"]
    assert arrow_strings([]).to_pylist() == []
    ints = np.array([-3, 0, 7], dtype=np.int8)
    assert arrow_numbers(ints).type == pa.int8() and arrow_numbers(ints).to_pylist() == [-3, 0, 7]
    with_nulls = pa.array([1.5, None, 2.5, None, 4.0], type=pa.float32()).slice(1)
    np.testing.assert_array_equal(numpy_of(with_nulls), [np.nan, 2.5, np.nan, 4.0])
