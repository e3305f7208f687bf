"""Path and query parameters shared by the routes, bounded before they reach SQL."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Path, Query

from roster.model import NAME

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
NamePath = Annotated[str, Path(pattern=NAME, max_length=64)]
Offset = Annotated[int, Query(ge=0, le=2**31 - 1, description="Items to skip")]
Limit = Annotated[int, Query(ge=1, le=500, description="Items per page")]
Format = Annotated[Literal["json", "csv"], Query(description="json, or csv for a spreadsheet")]
CSV = "text/csv; charset=utf-8"
JSON = "application/json"
