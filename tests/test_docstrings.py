"""The examples in the docstrings run as written (doctests), in every module that has them."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import api
import roster
import solver


def _modules_with_examples() -> list[str]:
    names = []
    for package in (roster, solver, api):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if ".migrations" in info.name:  # alembic's scripts run when imported
                continue
            module = importlib.import_module(info.name)
            if any(test.examples for test in doctest.DocTestFinder().find(module)):
                names.append(info.name)
    return names


@pytest.mark.parametrize("name", _modules_with_examples())
def test_the_examples_of_the_docstrings_hold(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name))

    assert result.attempted > 0
    assert result.failed == 0
