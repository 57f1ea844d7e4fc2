"""`longwing batch --dask` on a real dask.distributed cluster (issue 15, item 5): a
`dask scheduler` and two `dask worker` processes on 127.0.0.1, not a LocalCluster; the rows
equal a local batch's."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sitl_gcs import port_base
from test_batch_cli import SCENARIO, _batch, _rows

pytest.importorskip("distributed")
DASK = Path(sys.executable).with_name("dask")


def test_rows_on_a_dask_cluster_equal_the_local_ones(tmp_path):
    port = port_base(38000)
    address = f"tcp://127.0.0.1:{port}"
    procs = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port",
                               str(port), "--no-dashboard"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]  # fmt: skip
    try:
        time.sleep(2.0)
        for k in range(2):
            procs.append(subprocess.Popen(
                [str(DASK), "worker", address, "--nworkers", "1", "--nthreads", "1",
                 "--no-dashboard", "--name", f"w{k}"], cwd=tmp_path,
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))  # fmt: skip
        from distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        r = _batch(str(SCENARIO), "--runs", "8", "--dask", address, "--out", str(tmp_path / "d"))
        assert r.returncode == 0, r.stderr
        local = tmp_path / "l"
        assert _batch(str(SCENARIO), "--runs", "8", "--workers", "1", "--out",
                      str(local)).returncode == 0  # fmt: skip
        assert _rows(tmp_path / "d") == _rows(local)
    finally:
        for p in reversed(procs):
            p.kill()
            p.wait(timeout=10)


def test_dask_address_checked(tmp_path):
    r = _batch(str(SCENARIO), "--dask", "127.0.0.1:1", "--out", str(tmp_path / "x"))
    assert r.returncode == 2 and "tcp://HOST:8786" in r.stderr
