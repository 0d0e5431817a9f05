"""Where sweep tasks run: in this process, in a local process pool, or on a Dask cluster.

Each is an executor in the ``concurrent.futures`` sense, reduced to what a sweep uses: ``submit(fn,
*args)`` returning a future with ``result()``. Tasks are plain picklable values and every task solves
with one CP-SAT worker, so a schedule does not depend on where it was solved.
"""

from __future__ import annotations

import multiprocessing
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, Protocol

from .errors import UsageError

DASK_TIMEOUT = 10.0  # seconds to wait for a Dask scheduler to answer before giving up
NETWORK_SCHEMES = ("tcp", "tls", "ws", "wss")  # addresses of a host and port


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
    _reachable(address, timeout)
    try:
        client = Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError, ValueError, TypeError) as error:
        raise UsageError(f"--dask {address}: no Dask scheduler answered there within {timeout:g} s "
                         f"({type(error).__name__}: {error})") from None
    try:
        yield DaskExecutor(client)
    finally:
        client.close()


def _reachable(address: str, timeout: float) -> None:
    """Refuse a malformed address, or a host and port where nothing listens, before a Client is made.

    (A Client that fails to connect leaves a background loop that complains again at exit.)
    """
    from distributed.comm.addressing import get_address_host_port, parse_address
    from distributed.comm.registry import get_backend

    try:
        scheme, _ = parse_address(address)
        get_backend(scheme)  # an unknown scheme is refused here
        host, port = get_address_host_port(address) if scheme in NETWORK_SCHEMES else (None, None)
    except ValueError as error:
        raise UsageError(f"--dask {address}: not a scheduler address like tcp://127.0.0.1:8786 ({error})") from None
    if host is None:
        return
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as error:
        raise UsageError(f"--dask {address}: no Dask scheduler listens there ({error}); start one with "
                         "`dask scheduler`") from None
