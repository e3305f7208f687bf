"""Roster jobs: progress while the solver runs, cancellation, the draft they end with."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import defer
from sqlmodel import col, select

from api import crud, jobs
from api.auth import Reader, Supervisor
from api.db import SessionDep
from api.models import JobPublic, JobRow, JobState, Page
from api.routes.params import Id, Limit, Offset

router = APIRouter(prefix="/jobs", tags=["jobs"])


@router.get("", response_model=Page[JobPublic])
def list_jobs(
    session: SessionDep,
    _: Reader,
    offset: Offset = 0,
    limit: Limit = 100,
    week_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    state: JobState | None = None,
) -> Page[JobPublic]:
    query = select(JobRow).options(defer(JobRow.snapshot))  # type: ignore[arg-type]
    query = query.order_by(col(JobRow.id).desc())
    if week_id is not None:
        query = query.where(JobRow.week_id == week_id)
    if state is not None:
        query = query.where(JobRow.state == state)
    rows, total = crud.page(session, query, offset=offset, limit=limit)
    return Page(items=[jobs.job_public(r) for r in rows], total=total, offset=offset, limit=limit)


@router.get("/{job_id}", response_model=JobPublic)
def read_job(session: SessionDep, _: Reader, job_id: Id) -> JobPublic:
    """The job's state and progress: best objective, bound, gap, seconds since it started."""
    return jobs.job_public(jobs.get_job(session, job_id=job_id))


@router.post("/{job_id}/cancel", response_model=JobPublic, status_code=202)
def cancel_job(request: Request, session: SessionDep, _: Supervisor, job_id: Id) -> JobPublic:
    """Cancel the job: at once if queued, within a moment if solving (409 if it has ended)."""
    row = jobs.cancel(session, job_id=job_id)
    request.app.state.runner.wake()
    return jobs.job_public(row)


@router.delete("/{job_id}", response_model=JobPublic, status_code=202)
def delete_job(request: Request, session: SessionDep, _: Supervisor, job_id: Id) -> JobPublic:
    """Same as `POST /jobs/{job_id}/cancel`."""
    return cancel_job(request, session, _, job_id)
