"""``sweep --dask ADDRESS`` runs the solves on a real dask.distributed cluster (worker processes) and writes
byte for byte what a sweep in one local process writes; a bad address is a usage error, not a traceback."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from distributed import LocalCluster

from scheduler.cli import cli
from scheduler.generate import generate_meeting

SCENARIOS = {
    "closed.toml": '[[rooms.close]]\nid = "R03"\ndays = ["2026-03-27"]\nreason = "Consultations"\n',
    "late.toml": '[[events.add]]\nid = "N1"\ntitle = "Late request"\norganizer = "Org N"\nformat = "virtual"\n'
                 'duration = 50\n',
}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two single-threaded worker processes on this machine."""
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      silence_logs=logging.ERROR) as local:
        yield local


@pytest.fixture(scope="module")
def meeting(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    """A generated meeting of 20 events and two scenarios of it."""
    root = tmp_path_factory.mktemp("dask")
    data = root / "data"
    data.mkdir()
    for name, text in generate_meeting(20, 3).files.items():
        (data / name).write_text(text, encoding="utf-8")
    paths = []
    for name, text in SCENARIOS.items():
        (root / name).write_text(text, encoding="utf-8")
        paths.append(root / name)
    return data, paths


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _sweep(data: Path, scenarios: list[Path], out: Path, *options: str) -> str:
    result = CliRunner().invoke(cli, ["sweep", str(data), *map(str, scenarios), "--out", str(out), "--time-limit", "5",
                                      *options])
    assert result.exit_code == 0, result.output
    return result.stdout  # the progress lines on stderr carry timings


def test_a_sweep_on_a_dask_cluster_writes_what_a_local_sweep_writes(cluster: LocalCluster, meeting: tuple,
                                                                  tmp_path: Path) -> None:
    data, scenarios = meeting
    on_cluster = _sweep(data, scenarios, tmp_path / "dask", "--dask", cluster.scheduler_address)
    local = _sweep(data, scenarios, tmp_path / "local", "--jobs", "1")
    assert "solve_variant" in cluster.scheduler.task_prefixes  # the solves ran on the cluster's workers
    assert on_cluster == local
    files = _files(tmp_path / "dask")
    assert {"baseline/schedule.csv", "closed/schedule.csv", "late/schedule.json", "moves.csv"} <= set(files)
    assert files == _files(tmp_path / "local")


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:1", "no-port", "nonsense://host:1"])
def test_a_bad_dask_address_is_a_usage_error(address: str, meeting: tuple, tmp_path: Path) -> None:
    data, scenarios = meeting
    result = CliRunner().invoke(cli, ["sweep", str(data), *map(str, scenarios), "--out", str(tmp_path / "out"),
                                      "--dask", address])
    assert result.exit_code == 2, result.output
    assert f"--dask {address}:" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "out").exists()
