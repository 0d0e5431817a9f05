"""Where sweep tasks run: in this process, in a local process pool, or on a Dask cluster.

Each is an executor in the ``concurrent.futures`` sense, reduced to what a sweep uses: ``submit(fn,
*args)`` returning a future with ``result()``. Tasks are plain picklable values and every task solves
with one CP-SAT worker, so a schedule does not depend on where it was solved.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol

from .errors import UsageError

DASK_TIMEOUT = 10.0  # seconds to wait for a Dask scheduler to answer before giving up


class FutureLike(Protocol):
    """What a submitted task returns: something with ``result()`` (concurrent.futures, Dask, ...)."""

    def result(self) -> Any: ...


class ExecutorLike(Protocol):
    """Anything that runs ``fn(*args)`` somewhere and hands back a future."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> FutureLike: ...


class Done:
    """The future of a task that already ran: ``result()`` returns its value or raises its error."""

    def __init__(self, value: Any = None, error: BaseException | None = None) -> None:
        self.value, self.error = value, error

    def result(self) -> Any:
        """The task's value, or its error raised again."""
        if self.error is not None:
            raise self.error
        return self.value


class InlineExecutor:
    """Runs each task at once in the calling process (``--jobs 1``)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> Done:
        """Run ``fn(*args)`` now; its value or error waits in the returned future."""
        try:
            return Done(fn(*args))
        except Exception as error:  # noqa: BLE001 - handed to the caller through result(), like a pool does
            return Done(error=error)


class DaskExecutor:
    """Tasks on a Dask cluster through a ``distributed.Client``; every submission is a new task."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def submit(self, fn: Callable[..., Any], /, *args: Any) -> FutureLike:
        """Send ``fn(*args)`` to the cluster (``pure=False``: never merged with an equal earlier task)."""
        return self.client.submit(fn, *args, pure=False)


@contextmanager
def local_executor(jobs: int, tasks: int) -> Iterator[ExecutorLike]:
    """This process for one job, else a ``spawn`` process pool of ``min(jobs, tasks)`` processes."""
    if jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, got {jobs}")
    if jobs == 1 or tasks <= 1:
        yield InlineExecutor()
        return
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(jobs, tasks), mp_context=context) as pool:
        yield pool


@contextmanager
def dask_executor(address: str, *, timeout: float = DASK_TIMEOUT) -> Iterator[DaskExecutor]:
    """A client of the Dask scheduler at ``address`` (``tcp://host:8786``), closed afterwards.

    Raises UsageError when the ``distributed`` package is missing or no scheduler answers in time.
    """
    try:
        from distributed import Client
    except ImportError:
        raise UsageError("--dask needs the distributed package: pip install 'side-event-scheduler[dask]'") from None
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise UsageError(f"--dask {address}: no Dask scheduler answered there within {timeout:g} s "
                         f"({type(error).__name__}: {error})") from None
    try:
        yield DaskExecutor(client)
    finally:
        client.close()
