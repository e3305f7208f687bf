"""A call run in a thread beside the caller's, its result or error handed back on request."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Background(Generic[T]):
    """A call run in a thread: worth it for calls that release the interpreter, as the
    solvers' solves do."""

    def __init__(self, call: Callable[[], T]) -> None:
        self._out: list[T] = []
        self._error: list[BaseException] = []

        def run() -> None:
            try:
                self._out.append(call())
            except BaseException as error:  # given to the caller, in its own thread
                self._error.append(error)

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def result(self) -> T:
        """Wait for the call; what it returned, or raise what it raised."""
        self._thread.join()
        if self._error:
            raise self._error[0]
        return self._out[0]
