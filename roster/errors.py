"""Errors raised for bad input: each names the file, the line or field, and the problem."""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario, demand file or roster that cannot be used as given.

    >>> str(ScenarioError("bad team", source="week.json", where="advisers[3].team"))
    'week.json: advisers[3].team: bad team'
    """

    def __init__(self, message: str, *, source: str | None = None, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.where = where

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.where) if p]
        return ": ".join([*parts, self.message])

    def located(self, source: str) -> ScenarioError:
        """The same error, attributed to `source` if it had no file yet."""
        if self.source:
            return self
        return ScenarioError(self.message, source=source, where=self.where)
