"""The service on a loopback port in a background thread, for tests that need a real client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn
from sqlmodel import Session

from api.app import create_app
from api.auth import create_token
from api.settings import Settings


@dataclass
class Live:
    """A running service: its base address and its app (for tokens)."""

    url: str
    app: Any

    def token(self, role: str = "supervisor", adviser_id: str | None = None) -> str:
        with Session(self.app.state.engine) as session:
            _, token = create_token(session, role=role, adviser_id=adviser_id)  # type: ignore[arg-type]
        return token


@contextmanager
def live_service(database_url: str, **app_options: Any) -> Iterator[Live]:
    """Serve `create_app` on a free loopback port until the block ends."""
    app = create_app(Settings(database_url=database_url), **app_options)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:  # the lifespan (migrations, job runner) runs first
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the service did not start")
        time.sleep(0.02)
    try:
        yield Live(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
