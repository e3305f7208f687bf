"""Tables (SQLModel) and the API's model families per resource: Base, Create, Update, Public.

Tables keep structured values (labour rules, windows, splits) as JSON columns; the families
type them with the domain's own pydantic models, so the API validates exactly as scenario
files do. The tables do not inherit the families because those nested types are not columns;
`api.crud` maps one to the other.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    FiniteFloat,
    ValidationError,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic import Field as Constraint
from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy import Text as SQLText
from sqlmodel import Field, SQLModel

from api.db import UTCDateTime, now
from roster.model import (
    Channel,
    LabourRules,
    MinimumCover,
    Name,
    Preferences,
    ServiceGoal,
    SolverSettings,
    Split,
    TimeZone,
    Unavailability,
    Weights,
    Window,
    check_split,
)

# Free text: bounded, and without NUL, which PostgreSQL text cannot hold.
Text = Annotated[str, Constraint(max_length=200, pattern=r"^[^\x00]*$")]
Language = Annotated[str, Constraint(pattern=r"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$", max_length=32)]
Role = Literal["supervisor", "adviser", "crisis", "admin"]
JobState = Literal["queued", "running", "succeeded", "failed", "cancelled"]
VersionState = Literal["draft", "published", "superseded"]
Date = date  # `TimeOffBase.date` would shadow the type inside that class
EARLIEST, LATEST = datetime(1970, 1, 1).date(), datetime(2200, 1, 1).date()


def _instant_in_range(value: datetime | None, field: str) -> datetime | None:
    if value is not None and not EARLIEST <= value.date() <= LATEST:
        raise ValueError(f"{field} {value.isoformat()} is not between 1970 and 2200")
    return value


def check_channel(name: str, kind: str, service: ServiceGoal | None) -> None:
    """The domain's rule for a channel and its goal (e.g. no `asa_seconds` when deferred)."""
    try:
        Channel(name=name, kind=kind, service=service)  # type: ignore[arg-type]
    except ValidationError as err:
        raise ValueError(str(err.errors()[0]["msg"]).removeprefix("Value error, ")) from None


def _json() -> Any:
    return Field(default=None, sa_type=JSON)


# ---------------------------------------------------------------------------------- tables


class ChannelRow(SQLModel, table=True):
    __tablename__ = "channel"
    name: str = Field(primary_key=True, max_length=64)
    kind: str = Field(max_length=16)
    label: str | None = Field(default=None, max_length=200)
    # The goal as given (unset fields left out), so the scenario checks it as it would a file.
    service: dict[str, Any] | None = _json()


class TeamRow(SQLModel, table=True):
    __tablename__ = "team"
    name: str = Field(primary_key=True, max_length=64)
    timezone: str = Field(max_length=64)
    window: dict[str, Any] = Field(sa_type=JSON)
    split: dict[str, float] | None = _json()
    split_tolerance_points: float = 5
    rules: dict[str, Any] = Field(sa_type=JSON)


class AdviserRow(SQLModel, table=True):
    __tablename__ = "adviser"
    id: str = Field(primary_key=True, max_length=64)
    name: str = Field(default="", max_length=200)
    team: str = Field(
        sa_column=Column(String(64), ForeignKey("team.name"), nullable=False, index=True)
    )
    channels: list[str] = Field(sa_type=JSON)
    languages: list[str] = Field(sa_type=JSON)
    split: dict[str, float] | None = _json()
    split_tolerance_points: float | None = None
    contract_hours_per_week: float | None = None
    preferences: dict[str, Any] = Field(sa_type=JSON)
    volunteer: bool = False


class TimeOffRow(SQLModel, table=True):
    __tablename__ = "time_off"
    id: int | None = Field(default=None, primary_key=True)
    adviser_id: str = Field(
        sa_column=Column(
            String(64), ForeignKey("adviser.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    day: date | None = None
    start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str | None = Field(default=None, max_length=200)


class WeekRow(SQLModel, table=True):
    __tablename__ = "week"
    __table_args__ = (UniqueConstraint("monday", "timezone", name="uq_week_monday_timezone"),)
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(default="week", max_length=200)
    monday: date
    timezone: str = Field(max_length=64)
    interval_minutes: int = 15
    minimum: list[dict[str, Any]] = Field(sa_type=JSON)
    weights: dict[str, Any] = Field(sa_type=JSON)
    solver: dict[str, Any] = Field(sa_type=JSON)
    # Publications so far: the version counter that makes concurrent publications exclusive.
    revision: int = 0
    # Not a foreign key, to keep week <-> version free of a cycle; kept by api.versions only.
    published_version_id: int | None = None
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)


class DemandRow(SQLModel, table=True):
    __tablename__ = "demand"
    __table_args__ = (
        UniqueConstraint("week_id", "interval_start", "channel", "language", name="uq_demand_cell"),
    )
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(
        sa_column=Column(Integer, ForeignKey("week.id", ondelete="CASCADE"), nullable=False)
    )
    interval_start: datetime = Field(sa_type=UTCDateTime)
    channel: str = Field(max_length=64)
    language: str = Field(default="", max_length=32)  # "" is the channel's headcount
    required: int


class ForecastRow(SQLModel, table=True):
    __tablename__ = "forecast"
    __table_args__ = (
        UniqueConstraint(
            "week_id", "interval_start", "channel", "language", name="uq_forecast_cell"
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(
        sa_column=Column(Integer, ForeignKey("week.id", ondelete="CASCADE"), nullable=False)
    )
    interval_start: datetime = Field(sa_type=UTCDateTime)
    channel: str = Field(max_length=64)
    language: str = Field(default="", max_length=32)  # "" is contacts any adviser answers
    volume: float  # contacts expected (> 0: intervals without a row expect none)
    aht_seconds: float  # handling time per contact


class CarryInRow(SQLModel, table=True):
    """A block worked before the week, as sent: the columns of `activities.csv`."""

    __tablename__ = "carry_in"
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("week.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    # No foreign key to adviser: what was worked stays as it was sent, whatever the record becomes.
    adviser_id: str = Field(max_length=64)
    activity: str = Field(max_length=64)  # a channel name or `break`
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)


class JobRow(SQLModel, table=True):
    __tablename__ = "job"
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("week.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    state: str = Field(default="queued", max_length=16, index=True)
    kind: str = Field(default="solve", max_length=16)  # "solve" a week, or "surge" (incidents)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    time_limit_seconds: float | None = None
    cancel_requested: bool = False
    stage: str | None = Field(default=None, max_length=32)
    objective: float | None = None
    bound: float | None = None
    progress_seconds: float | None = None
    message: str | None = Field(default=None, sa_type=SQLText)
    diagnosis: list[str] | None = _json()
    version_id: int | None = None
    snapshot: dict[str, Any] = Field(sa_type=JSON)


class VersionRow(SQLModel, table=True):
    __tablename__ = "roster_version"
    __table_args__ = (
        UniqueConstraint("week_id", "number", name="uq_version_week_number"),
        # At most one published version per week, whatever the application does.
        Index(
            "uq_version_published",
            "week_id",
            unique=True,
            sqlite_where=text("state = 'published'"),
            postgresql_where=text("state = 'published'"),
        ),
    )
    id: int | None = Field(default=None, primary_key=True)
    week_id: int = Field(
        sa_column=Column(Integer, ForeignKey("week.id", ondelete="CASCADE"), nullable=False)
    )
    number: int
    state: str = Field(default="draft", max_length=16)
    job_id: int | None = None
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    published_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    status: str = Field(max_length=16)
    objective: float | None = None
    lower_bound: float | None = None
    gap: float | None = None
    solve_seconds: float = 0
    penalties: dict[str, float] = Field(sa_type=JSON)
    violations: list[str] = Field(sa_type=JSON)
    snapshot: dict[str, Any] = Field(sa_type=JSON)


class ShiftRow(SQLModel, table=True):
    __tablename__ = "roster_shift"
    __table_args__ = (Index("ix_roster_shift_version_adviser", "version_id", "adviser_id"),)
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("roster_version.id", ondelete="CASCADE"), nullable=False
        )
    )
    # No foreign key to adviser: a published roster outlives the adviser's record.
    adviser_id: str = Field(max_length=64)
    team: str = Field(max_length=64)
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)


class ActivityRow(SQLModel, table=True):
    __tablename__ = "roster_activity"
    id: int | None = Field(default=None, primary_key=True)
    shift_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("roster_shift.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    version_id: int = Field(index=True)  # repeated from the shift: one query reads a roster
    kind: str = Field(max_length=64)
    start: datetime = Field(sa_type=UTCDateTime)
    end: datetime = Field(sa_type=UTCDateTime)


class TokenRow(SQLModel, table=True):
    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    role: str = Field(max_length=16)
    adviser_id: str | None = Field(default=None, max_length=64)
    token_hash: str = Field(max_length=64, unique=True)
    label: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=now, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class FeedRow(SQLModel, table=True):
    """An adviser's, a team's or an incident's calendar feed, as last built (`api.feeds`)."""

    __tablename__ = "feed"
    id: int | None = Field(default=None, primary_key=True)
    # Exactly one of the three; the feed goes with its adviser, team or incident.
    adviser_id: str | None = Field(
        default=None,
        sa_column=Column(
            String(64), ForeignKey("adviser.id", ondelete="CASCADE"), nullable=True, unique=True
        ),
    )
    team: str | None = Field(
        default=None,
        sa_column=Column(
            String(64), ForeignKey("team.name", ondelete="CASCADE"), nullable=True, unique=True
        ),
    )
    # The crisis cell's feed of an incident's surge duties (`api.crisis_feed`).
    incident_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("incident.id", ondelete="CASCADE"), nullable=True, unique=True
        ),
    )
    secret_hash: str | None = Field(default=None, max_length=64, unique=True)  # None: revoked
    secret_created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    state: dict[str, Any] = Field(sa_type=JSON)
    body: bytes = Field(sa_type=LargeBinary)
    etag: str = Field(max_length=80)
    last_modified: datetime = Field(sa_type=UTCDateTime)
    built_at: datetime = Field(sa_type=UTCDateTime)
    builds: int = 0  # moved by every build: a compare-and-set for builds on read


# ---------------------------------------------------------------------------- API models

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list: `items` from `offset`, at most `limit`, of `total`."""

    items: list[T]
    total: int
    offset: int
    limit: int


class Strict(SQLModel):
    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]


class ChannelBase(Strict):
    kind: Literal["realtime", "deferred"] = "deferred"
    label: Text | None = None
    service: ServiceGoal | None = Field(
        default=None,
        description="The goal that turns the week's forecast into required advisers",
    )


class ChannelCreate(ChannelBase):
    name: Name

    @model_validator(mode="after")
    def _goal_fits_kind(self) -> ChannelCreate:
        check_channel(self.name, self.kind, self.service)
        return self


class ChannelUpdate(Strict):
    kind: Literal["realtime", "deferred"] | None = None
    label: Text | None = None
    service: ServiceGoal | None = None


class ChannelPublic(ChannelBase):
    model_config = ConfigDict(extra="ignore")  # type: ignore[assignment]

    name: Name

    @field_serializer("service")
    def _goal_as_given(self, goal: ServiceGoal | None) -> dict[str, Any] | None:
        # Defaults left out, so that the goal read can be sent back as it is: a deferred
        # channel's goal may not name the real-time fields, even at their defaults.
        return None if goal is None else goal.model_dump(mode="json", exclude_defaults=True)


class TeamBase(Strict):
    timezone: TimeZone
    window: Window = Field(default_factory=Window)
    split: Split | None = None
    split_tolerance_points: float = Field(default=5, ge=0, le=100)
    rules: LabourRules = Field(default_factory=LabourRules)

    @field_validator("split")
    @classmethod
    def _split(cls, value: Split | None) -> Split | None:
        return None if value is None else check_split(value)


class TeamCreate(TeamBase):
    name: Name


class TeamUpdate(Strict):
    timezone: TimeZone | None = None
    window: Window | None = None
    split: Split | None = None
    split_tolerance_points: float | None = Field(default=None, ge=0, le=100)
    rules: LabourRules | None = None

    @field_validator("split")
    @classmethod
    def _split(cls, value: Split | None) -> Split | None:
        return None if value is None else check_split(value)


class TeamPublic(TeamBase):
    model_config = ConfigDict(extra="ignore")  # type: ignore[assignment]

    name: Name


class AdviserBase(Strict):
    name: Text = ""
    team: Name
    channels: list[Name] = Field(min_length=1, max_length=64)
    languages: list[Language] = Field(default_factory=list, max_length=32)
    split: Split | None = Field(default=None, description="Percent per channel; team default")
    split_tolerance_points: float | None = Field(default=None, ge=0, le=100)
    contract_hours_per_week: float | None = Field(default=None, ge=0, le=168)
    preferences: Preferences = Field(default_factory=Preferences)
    volunteer: bool = False

    @field_validator("split")
    @classmethod
    def _split(cls, value: Split | None) -> Split | None:
        return None if value is None else check_split(value)


class AdviserCreate(AdviserBase):
    id: Name


class AdviserUpdate(Strict):
    name: Text | None = None
    team: Name | None = None
    channels: list[Name] | None = Field(default=None, min_length=1, max_length=64)
    languages: list[Language] | None = Field(default=None, max_length=32)
    split: Split | None = None
    split_tolerance_points: float | None = Field(default=None, ge=0, le=100)
    contract_hours_per_week: float | None = Field(default=None, ge=0, le=168)
    preferences: Preferences | None = None
    volunteer: bool | None = None

    @field_validator("split")
    @classmethod
    def _split(cls, value: Split | None) -> Split | None:
        return None if value is None else check_split(value)


class AdviserPublic(AdviserBase):
    model_config = ConfigDict(extra="ignore")  # type: ignore[assignment]

    id: Name


class TimeOffBase(Strict):
    """A whole local day (`date`, on the adviser's team clock) or a span (`start`, `end`)."""

    date: Date | None = None
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    reason: Text | None = None

    @model_validator(mode="after")
    def _one_form(self) -> TimeOffBase:
        _instant_in_range(self.start, "start")
        _instant_in_range(self.end, "end")
        if self.date is not None and not EARLIEST <= self.date <= LATEST:
            raise ValueError(f"date {self.date.isoformat()} is not between 1970 and 2200")
        # the domain's rule: a date, or a start and an end
        Unavailability.model_validate(self.model_dump(include={"date", "start", "end"}))
        return self


class TimeOffCreate(TimeOffBase):
    pass


class TimeOffPublic(TimeOffBase):
    model_config = ConfigDict(extra="ignore")  # type: ignore[assignment]

    id: int
    adviser_id: str


class WeekBase(Strict):
    name: Text = "week"
    minimum: list[MinimumCover] = Field(default_factory=list, max_length=200)
    weights: Weights = Field(default_factory=Weights)
    solver: SolverSettings = Field(default_factory=SolverSettings)


class WeekCreate(WeekBase):
    monday: date = Field(description="The Monday the week starts on, in the reference zone")
    timezone: TimeZone
    interval_minutes: Literal[15, 30] = 15

    @field_validator("monday")
    @classmethod
    def _monday(cls, value: date) -> date:
        if value.weekday() != 0:
            raise ValueError(f"{value.isoformat()} is not a monday")
        if not EARLIEST <= value <= LATEST:
            raise ValueError(f"{value.isoformat()} is not between 1970 and 2200")
        return value


class WeekUpdate(Strict):
    name: Text | None = None
    minimum: list[MinimumCover] | None = Field(default=None, max_length=200)
    weights: Weights | None = None
    solver: SolverSettings | None = None


class WeekPublic(WeekBase):
    model_config = ConfigDict(extra="ignore")  # type: ignore[assignment]

    id: int
    monday: date
    timezone: str
    interval_minutes: int
    revision: int = Field(description="Publications so far; send it back to publish safely")
    published_version_id: int | None
    demand_rows: int
    forecast_rows: int
    carry_in_rows: int


class UploadRow(Strict):
    """What demand and forecast rows share: the interval, the channel, the language."""

    interval_start: AwareDatetime
    channel: Name
    language: Language | None = None

    @field_validator("interval_start")
    @classmethod
    def _range(cls, value: datetime) -> datetime:
        _instant_in_range(value, "interval_start")
        return value


class DemandIn(UploadRow):
    """One demand row as JSON: the columns of the demand CSV."""

    required: int = Field(ge=0, le=1_000_000)


class ForecastIn(UploadRow):
    """One forecast row as JSON: the columns of the forecast CSV."""

    volume: FiniteFloat = Field(ge=0, le=1e9, description="Contacts expected")
    aht_seconds: FiniteFloat | None = Field(
        default=None,
        gt=0,
        le=7 * 86400,
        description="Seconds of handling per contact; may be left out where volume is 0",
    )


class CarryInIn(Strict):
    """One carry-in block as JSON: the columns of activities.csv."""

    adviser_id: Name
    activity: Name = Field(description="A channel name or `break`")
    start: AwareDatetime
    end: AwareDatetime

    @field_validator("start", "end")
    @classmethod
    def _range(cls, value: datetime, info: ValidationInfo) -> datetime:
        _instant_in_range(value, str(info.field_name))
        return value


class CarryInPublic(BaseModel):
    """A carry-in block as stored, in UTC: the row sent, so it can be sent back as it is."""

    adviser_id: str
    activity: str
    start: datetime
    end: datetime


class ForecastPublic(BaseModel):
    interval_start: datetime
    local_start: str
    channel: str
    language: str | None
    volume: float
    aht_seconds: float


class DemandPublic(BaseModel):
    interval_start: datetime
    local_start: str
    channel: str
    language: str | None
    required: int


class JobCreate(Strict):
    time_limit_seconds: float | None = Field(
        default=None, gt=0, le=3600, description="Default: the week's solver settings"
    )


class JobPublic(BaseModel):
    id: int
    week_id: int
    kind: Literal["solve", "surge"] = Field(description="A week's solve or an incident's plan")
    state: JobState
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    elapsed_seconds: float | None = Field(description="Seconds since the solve started")
    time_limit_seconds: float | None
    stage: str | None = Field(description="Solver step of the last improvement")
    objective: float | None = Field(description="Best penalty found so far (points)")
    bound: float | None = Field(description="Lower bound on any roster's penalty (points)")
    gap: float | None = Field(description="(objective - bound) / objective, 0.01 is 1%")
    cancel_requested: bool
    message: str | None = Field(description="Why the job failed or was cancelled")
    diagnosis: list[str]
    version_id: int | None = Field(description="The draft roster the job made")


class VersionPublic(BaseModel):
    id: int
    week_id: int
    number: int
    state: VersionState
    job_id: int | None
    created_at: datetime
    published_at: datetime | None
    status: str
    objective: float | None
    lower_bound: float | None
    gap: float | None
    solve_seconds: float
    penalties: dict[str, float]
    violations: list[str]
    shifts: int


class PublishRequest(Strict):
    expected_revision: int | None = Field(
        default=None,
        ge=0,
        le=2**31,
        description="The week's revision you saw; publication fails with 409 if it moved",
    )


class ActivityPublic(BaseModel):
    kind: str
    start: datetime
    end: datetime


class ShiftPublic(BaseModel):
    id: int
    adviser_id: str
    team: str
    start: datetime
    end: datetime
    local_start: str
    local_end: str
    timezone: str
    hours: float
    break_minutes: int
    channels: list[str]
    activities: list[ActivityPublic]


class ShiftChange(BaseModel):
    adviser_id: str
    removed: list[ShiftPublic]
    added: list[ShiftPublic]
    changed: list[ShiftPublic] = Field(description="Same times, other channels or breaks")


class Comparison(BaseModel):
    base: int
    other: int
    advisers_changed: int
    changes: list[ShiftChange]


class TokenCreate(Strict):
    role: Role
    adviser_id: Name | None = None
    label: Text = ""

    @model_validator(mode="after")
    def _adviser(self) -> TokenCreate:
        if (self.role == "adviser") != (self.adviser_id is not None):
            raise ValueError("adviser_id is required for the adviser role, and only for it")
        return self


class TokenPublic(BaseModel):
    id: int
    role: Role
    adviser_id: str | None
    label: str
    created_at: datetime
    revoked: bool


class TokenCreated(TokenPublic):
    token: str = Field(description="Shown once; only its hash is stored")


class FeedCreated(BaseModel):
    url: str = Field(description="The private address; shown once, only its hash is stored")
    webcal: str = Field(description="The same address for calendar apps (webcal://)")
    created_at: datetime


# The feed table refers to the incident table (`FeedRow.incident_id`): register that table as
# well, so that the metadata is whole whichever of the two modules is imported first.
import api.incident_models  # noqa: E402, F401
