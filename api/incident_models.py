"""Tables and API models of incidents: the incident as given, volunteers' answers, surge plans."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel
from pydantic import Field as Constraint
from sqlalchemy import JSON, Column, ForeignKey, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

from api.db import UTCDateTime, now
from api.models import JobPublic, Strict

Answer = Literal["accepted", "declined", "no_answer"]
# Answers that take a volunteer out of the next plan (roster.incident.Incident.declined).
LEFT_OUT: tuple[str, ...] = ("declined", "no_answer")


class IncidentRow(SQLModel, table=True):
    __tablename__ = "incident"
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("week.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    name: str = Field(max_length=200)
    # The roster.incident.Incident as given (JSON mode, unset fields left out).
    data: dict[str, Any] = Field(sa_type=JSON)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class IncidentResponseRow(SQLModel, table=True):
    __tablename__ = "incident_response"
    __table_args__ = (
        UniqueConstraint("incident_id", "adviser_id", name="uq_incident_response_adviser"),
    )
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("incident.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    adviser_id: str = Field(max_length=64)
    answer: str = Field(max_length=16)
    answered_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class IncidentPlanRow(SQLModel, table=True):
    __tablename__ = "incident_plan"
    __table_args__ = (UniqueConstraint("incident_id", "number", name="uq_incident_plan_number"),)
    id: int | None = Field(default=None, primary_key=True)
    incident_id: int = Field(
        sa_column=Column(Integer, ForeignKey("incident.id", ondelete="CASCADE"), nullable=False)
    )
    number: int
    # No foreign keys to job and version: those rows are the jobs module's and versions module's.
    job_id: int
    base_version_id: int  # the published version the plan starts from
    base_revision: int  # the week's revision then: publishing the plan expects it still
    declined: list[str] = Field(sa_type=JSON)  # volunteers left out of this plan
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    # The plan's call-ups, invitations, shortfalls, changes once its job has ended well.
    result: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class IncidentPublic(BaseModel):
    id: int
    week_id: int
    name: str
    created_at: datetime
    incident: dict[str, Any] = Constraint(description="The incident, defaults filled in")
    earliest_call_up: datetime
    factors: dict[str, float] = Constraint(description="Demand factor per channel in the window")
    responses: dict[str, Answer] = Constraint(description="Answers recorded, by adviser")
    plans: int


class ResponseIn(Strict):
    answer: Answer


class ResponsePublic(BaseModel):
    incident_id: int
    adviser_id: str
    answer: Answer
    answered_at: datetime


class PlanPublic(BaseModel):
    incident_id: int
    number: int
    created_at: datetime
    base_version_id: int = Constraint(description="The published version the plan starts from")
    base_revision: int
    version_id: int | None = Constraint(description="The plan's draft roster version")
    declined: list[str] = Constraint(description="Volunteers left out (declined, no answer)")
    job: JobPublic
    result: dict[str, Any] | None = Constraint(
        description="status, objective, lower_bound, gap, seconds, shortfall_hours_without_surge,"
        " shortfall_hours_with_surge, changes, call_ups, invitations, invitations_wanted,"
        " manager_duties, manager_hours_missing, external, confirmed, withdrawn, violations;"
        " null until the job has succeeded"
    )
