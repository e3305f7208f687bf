"""The catalogue of rules: one name per rule, used in code, penalties, reports and tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from roster.timegrid import iso_utc

HARD_RULES: dict[str, str] = {
    "shift_structure": (
        "a shift is filled end to end by its blocks, and an adviser's shifts do not overlap"
    ),
    "shift_start": "a shift starts at one of the team's allowed local times",
    "shift_length": "a shift lasts one of the team's allowed lengths",
    "team_window": "a shift lies inside the part of the day its team may cover (reference zone)",
    "availability": "no shift meets the adviser's unavailability",
    "skills": "an adviser works only on channels they are skilled for",
    "break_placement": "a long shift holds one break of the team's length, inside the break window",
    "min_block_length": "a stretch on one channel lasts at least the team's minimum block",
    "max_hours_per_day": "hours worked on a shift stay within the team's daily maximum",
    "max_hours_per_week": "hours worked in the week stay within the team's weekly maximum",
    "contract_hours": "hours worked in the week are the contract hours within the tolerance",
    "min_rest_between_shifts": "two shifts are separated by at least the team's minimum rest",
    "max_consecutive_days": "no more consecutive working days than the team allows",
    "min_weekly_rest": "the week holds one uninterrupted rest of at least the team's weekly rest",
    "channel_split": "each channel's share of the week is within tolerance of the adviser's target",
}

# Rules of a surge plan (roster.incident), checked beside the hard rules it keeps.
SURGE_RULES: dict[str, str] = {
    "surge_untouched": "a non-volunteer keeps every shift and break; only later blocks change",
    "surge_lead_time": "work added to a volunteer's week starts after the mobilisation lead time",
    "surge_extra_hours": "a volunteer works no more extra hours than they offered",
    "surge_manager_duty": "a manager's duties: from the pool, after the lead time, within the "
    "hours offered, with the team's rest between them",
    "surge_confirmed": "a call-up or duty someone accepted stays in the plan as accepted",
}

SOFT_RULES: dict[str, str] = {
    "shortfall": "missing advisers on a channel, per adviser-hour",
    "overstaffing": "advisers beyond the requirement on a channel, per adviser-hour",
    "split_deviation": "hours away from the adviser's channel split target",
    "fairness_nights": "night shifts beyond a fair share within the team",
    "fairness_weekends": "weekend shifts beyond a fair share within the team",
    "preferences": "shifts against an adviser's wishes (day off, earliest start, latest end)",
}


@dataclass(frozen=True)
class Violation:
    """A hard rule broken by one adviser (or by the roster) at a given time."""

    rule: str
    adviser_id: str
    start: datetime
    end: datetime
    detail: str

    def __post_init__(self) -> None:
        if self.rule not in HARD_RULES and self.rule not in SURGE_RULES:
            raise ValueError(f"unknown rule {self.rule!r}")

    def __str__(self) -> str:
        span = f"{iso_utc(self.start)}-{iso_utc(self.end)}"
        return f"{self.rule}: adviser {self.adviser_id} {span}: {self.detail}"
