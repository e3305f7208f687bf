"""Roster jobs: submitted with a snapshot of the week, solved in the background, cancellable.

Each solve runs in its own child process, started with `spawn`, and one dispatcher thread in
the service watches them. A process rather than a thread because:
- cancelling must stop the search now, and `solver.solve.solve` gives no handle to stop
  CP-SAT; a process can be terminated at any moment, a thread cannot;
- the API stays responsive whatever the solver does (model building in Python holds the GIL
  for seconds on large weeks; CP-SAT only releases it inside Solve);
- a solver that runs out of memory or crashes takes down its process, not the service.
The cost is a second or so to start the process, small next to a solve's time limit.
Only the dispatcher writes to the database: the child gets a snapshot and sends back plain
data over a pipe, so it needs no connection (and SQLite sees one writer per service).
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from sqlalchemy import Engine, update
from sqlalchemy.orm import defer
from sqlmodel import Session, col, select

from api import worker
from api.convert import take_snapshot
from api.db import now
from api.errors import Conflict, NotFound
from api.models import JobCreate, JobPublic, JobRow, WeekRow
from api.versions import create_draft

log = logging.getLogger(__name__)
Target = Callable[[dict[str, Any], float | None, Connection], None]
STOPPED = "the service stopped while this job ran; submit it again"
FINISHED = ("succeeded", "failed", "cancelled")


@dataclass
class Running:
    """A job's child process and our end of its pipe."""

    job_id: int
    process: BaseProcess
    conn: Connection


def job_public(row: JobRow) -> JobPublic:
    elapsed = None
    if row.started_at is not None:
        elapsed = round(((row.finished_at or now()) - row.started_at).total_seconds(), 2)
    gap = None
    if row.objective is not None and row.bound is not None:
        gap = max(0.0, row.objective - row.bound) / max(1.0, abs(row.objective))
    return JobPublic.model_validate(
        {
            **row.model_dump(),
            "elapsed_seconds": elapsed,
            "gap": gap,
            "diagnosis": row.diagnosis or [],
        }
    )


def submit(session: Session, *, week: WeekRow, data: JobCreate) -> JobRow:
    """Queue a solve of the week as its data stands now (ScenarioError if it cannot be solved)."""
    assert week.id is not None
    snapshot = take_snapshot(session, week)
    row = JobRow(week_id=week.id, time_limit_seconds=data.time_limit_seconds, snapshot=snapshot)
    session.add(row)
    session.commit()
    session.refresh(row)
    return row


def get_job(session: Session, *, job_id: int) -> JobRow:
    """A job, its snapshot (the week's data, large) read only if used: polling does not."""
    row = session.get(JobRow, job_id, options=[defer(JobRow.snapshot)])  # type: ignore[arg-type]
    if row is None:
        raise NotFound(f"no job {job_id}")
    return row


def cancel(session: Session, *, job_id: int) -> JobRow:
    """Cancel a queued job at once, or ask the dispatcher to stop a running one."""
    row = get_job(session, job_id=job_id)
    if row.state in FINISHED:
        raise Conflict(f"job {job_id} has {row.state} already")
    queued = session.exec(  # type: ignore[call-overload]
        update(JobRow)
        .where(col(JobRow.id) == job_id, col(JobRow.state) == "queued")
        .values(state="cancelled", finished_at=now(), message="cancelled before it started")
    )
    if queued.rowcount != 1:
        session.exec(  # type: ignore[call-overload]
            update(JobRow).where(col(JobRow.id) == job_id).values(cancel_requested=True)
        )
    session.commit()
    session.refresh(row)
    return row


def recover(engine: Engine) -> int:
    """Mark jobs left running by a stopped service as failed; queued ones will run. The count."""
    with Session(engine) as session:
        done = session.exec(  # type: ignore[call-overload]
            update(JobRow)
            .where(col(JobRow.state) == "running")
            .values(state="failed", finished_at=now(), message=STOPPED)
        )
        session.commit()
        return int(done.rowcount or 0)


def record_result(session: Session, *, job_id: int, result: dict[str, Any]) -> JobRow:
    """End a job with its solve's result: a draft version, or a failure with the diagnosis."""
    job = get_job(session, job_id=job_id)
    session.refresh(job)
    job.objective, job.diagnosis = result["objective"], result["diagnosis"]
    if result["objective"] is not None:
        job.bound = result["lower_bound"]
    job.finished_at = now()
    if not result["shifts"] and result["status"] in ("IMPOSSIBLE", "NO_SOLUTION"):
        job.state = "failed"
        job.message = f"no roster: {result['status']}; " + " ".join(result["diagnosis"])
        session.add(job)
        session.commit()
        return job
    job.state = "succeeded"
    if job.kind == "surge":  # an incident's plan: its call-ups go in the draft's transaction
        from api.incidents import store_plan  # api.incidents builds on this module

        store_plan(session, job=job, result=result)
    create_draft(session, job=job, result=result)
    return job


class JobRunner:
    """Starts queued jobs (at most `parallel` at once), records progress, ends them."""

    def __init__(
        self, engine: Engine, *, parallel: int = 1, target: Target = worker.run, poll: float = 0.2
    ) -> None:
        self.engine = engine
        self.parallel = parallel
        self.target = target
        self.poll = poll
        self.running: dict[int, Running] = {}
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._context = multiprocessing.get_context("spawn")

    def start(self) -> None:
        failed = recover(self.engine)
        if failed:
            log.warning("%d job(s) left running by a stopped service marked failed", failed)
        self._thread = threading.Thread(target=self._loop, name="roster-jobs", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look at the jobs now rather than at the next poll."""
        self._wake.set()

    def stop(self) -> None:
        """Stop the dispatcher; running solves are ended and their jobs marked failed."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        with Session(self.engine) as session:
            for run in list(self.running.values()):
                self._kill(run)
                self._finish(session, run.job_id, "failed", STOPPED)
        self.running.clear()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                with Session(self.engine) as session:
                    self._tick(session)
            except Exception:  # keep dispatching whatever one tick met
                log.exception("job dispatcher")
            self._wake.wait(self.poll)
            self._wake.clear()

    def _tick(self, session: Session) -> None:
        for run in list(self.running.values()):
            self._watch(session, run)
        while len(self.running) < self.parallel and not self._stop.is_set():
            if not self._start_next(session):
                break

    def _start_next(self, session: Session) -> bool:
        job = session.exec(
            select(JobRow).where(JobRow.state == "queued").order_by(col(JobRow.id))
        ).first()
        if job is None or job.id is None:
            return False
        claimed = session.exec(  # type: ignore[call-overload]
            update(JobRow)
            .where(col(JobRow.id) == job.id, col(JobRow.state) == "queued")
            .values(state="running", started_at=now())
        )
        session.commit()
        if claimed.rowcount != 1:  # cancelled, or taken by another service, meanwhile
            return True
        ours, theirs = self._context.Pipe(duplex=False)
        process = self._context.Process(
            target=self.target,
            args=(job.snapshot, job.time_limit_seconds, theirs),
            name=f"roster-job-{job.id}",
            daemon=True,
        )
        process.start()
        theirs.close()
        self.running[job.id] = Running(job.id, process, ours)
        return True

    def _watch(self, session: Session, run: Running) -> None:
        alive = run.process.is_alive()
        ended = False
        while run.conn.poll():
            try:
                kind, data = run.conn.recv()
            except (EOFError, OSError):
                break
            if kind == "progress":
                self._progress(session, run.job_id, data)
            elif kind == "done":
                self._done(session, run.job_id, data)
                ended = True
            else:
                self._finish(session, run.job_id, "failed", f"the solve failed: {data}")
                ended = True
        if ended:
            self._drop(run)
            return
        job = session.get(JobRow, run.job_id)
        if job is not None:
            session.refresh(job)
        if job is None or job.cancel_requested:
            self._kill(run)
            if job is not None:
                self._finish(session, run.job_id, "cancelled", "cancelled while solving")
            self._drop(run)
        elif not alive:
            code = run.process.exitcode
            self._finish(
                session,
                run.job_id,
                "failed",
                f"the solver process ended unexpectedly (exit code {code})",
            )
            self._drop(run)

    def _progress(self, session: Session, job_id: int, data: dict[str, Any]) -> None:
        session.exec(  # type: ignore[call-overload]
            update(JobRow)
            .where(col(JobRow.id) == job_id, col(JobRow.state) == "running")
            .values(
                objective=data["objective"],
                bound=data["bound"],
                stage=data["stage"],
                progress_seconds=data["seconds"],
            )
        )
        session.commit()

    def _done(self, session: Session, job_id: int, result: dict[str, Any]) -> None:
        record_result(session, job_id=job_id, result=result)

    def _finish(self, session: Session, job_id: int, state: str, message: str) -> None:
        session.exec(  # type: ignore[call-overload]
            update(JobRow)
            .where(col(JobRow.id) == job_id, col(JobRow.state).in_(("queued", "running")))
            .values(state=state, finished_at=now(), message=message)
        )
        session.commit()

    def _kill(self, run: Running) -> None:
        if run.process.is_alive():
            run.process.terminate()
            run.process.join(timeout=5)
            if run.process.is_alive():
                run.process.kill()
                run.process.join(timeout=5)

    def _drop(self, run: Running) -> None:
        run.conn.close()
        run.process.join(timeout=1)
        self.running.pop(run.job_id, None)
