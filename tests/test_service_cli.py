"""`roster token create` and `roster serve --example`'s loading, on a database from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.app import create_app
from api.cli import main
from api.cli_service import EXAMPLE, import_folder, load_example
from api.convert import take_snapshot
from api.db import make_engine, migrate
from api.models import CarryInRow, JobRow
from api.settings import Settings
from tests.service_data import wait_job
from tests.test_cli import tiny_scenario, write_folder


def test_token_create_prints_a_token_that_the_service_accepts(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["token", "create", "--role", "admin", "--label", "first"]) == 0
    out, err = capsys.readouterr()
    token = out.strip()
    assert token.startswith("rst_") and "shown only this once" in err
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        me = client.get("/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["role"], me["label"]) == ("admin", "first")


def test_an_adviser_token_needs_a_known_adviser(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["token", "create", "--role", "adviser", "--adviser", "A9"]) == 2
    assert capsys.readouterr().err == "roster: error: adviser_id: unknown adviser 'A9'\n"


def test_the_example_is_loaded_solved_and_published_once(database_url: str, tmp_path: Path) -> None:
    folder = write_folder(tmp_path / "tiny")
    settings = Settings(database_url=database_url)
    week_id, token = load_example(settings, folder, quiet=True)
    again_id, other_token = load_example(settings, folder, quiet=True)
    assert again_id == week_id and other_token != token
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {other_token}"}
        versions = client.get(f"/weeks/{week_id}/versions", headers=headers).json()
        roster = client.get(f"/weeks/{week_id}/roster", headers=headers).json()
        advisers = client.get("/advisers", headers=headers).json()
    assert [v["state"] for v in versions] == ["published"]  # solved once, not twice
    assert [(s["adviser_id"], s["local_start"]) for s in roster] == [
        ("A1", "2026-11-23T08:00:00+01:00")
    ]
    assert advisers["total"] == 1


def test_the_example_week_is_imported_with_its_carry_in_once(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with Session(engine) as session:
        _, week = import_folder(session, EXAMPLE)
        session.commit()
        _, again = import_folder(session, EXAMPLE)  # an existing week is kept as it is
        session.commit()
        assert again.id == week.id
        rows = session.exec(select(CarryInRow).order_by(col(CarryInRow.id))).all()
        assert len(rows) == 12  # the lines of carry_in.csv
        carried = take_snapshot(session, week)["carry_in"]
    engine.dispose()
    # Sydney's Sunday night into Monday: 22:00-08:00 in Paris, each with a break
    assert [(a, start, end, len(blocks)) for a, start, end, blocks in carried] == [
        (adviser, "2026-11-22T21:00:00Z", "2026-11-23T07:00:00Z", 3)
        for adviser in ("S001", "S002", "S003", "S004")
    ]
    assert carried[0][3][1] == ["break", "2026-11-23T00:00:00Z", "2026-11-23T00:30:00Z"]


def test_the_example_is_solved_with_its_carry_in(database_url: str, tmp_path: Path) -> None:
    # Ana worked Sunday until 23:00 in Paris: with 11 hours of rest she cannot start at 08:00 on
    # Monday, the one shift the tiny week has her work without a carry-in.
    folder = write_folder(tmp_path / "tiny", {**tiny_scenario(), "carry_in": "carry_in.csv"})
    (folder / "carry_in.csv").write_text(
        "adviser_id,activity,start,end\nA1,social,2026-11-22T18:00:00Z,2026-11-22T22:00:00Z\n",
        encoding="utf-8",
    )
    settings = Settings(database_url=database_url)
    week_id, token = load_example(settings, folder, quiet=True)
    with TestClient(create_app(settings)) as client:
        headers = {"Authorization": f"Bearer {token}"}
        roster = client.get(f"/weeks/{week_id}/roster", headers=headers).json()
    engine = make_engine(database_url)
    with Session(engine) as session:
        job = session.exec(select(JobRow).where(JobRow.week_id == week_id)).one()
    engine.dispose()
    assert job.snapshot["carry_in"] == [
        [
            "A1",
            "2026-11-22T18:00:00Z",
            "2026-11-22T22:00:00Z",
            [["social", "2026-11-22T18:00:00Z", "2026-11-22T22:00:00Z"]],
        ]
    ]
    assert [s["adviser_id"] for s in roster] == ["A1"]
    assert roster[0]["local_start"] > "2026-11-24"  # not on Monday
    assert roster[0]["local_start"].endswith("T08:00:00+01:00")


@pytest.mark.slow
def test_a_job_solves_with_the_real_solver_in_its_own_process(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(database_url=database_url)
    week_id, token = load_example(settings, write_folder(tmp_path / "tiny"), quiet=True)
    headers = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(settings)) as client:
        job = client.post(f"/weeks/{week_id}/jobs", json={"time_limit_seconds": 2}, headers=headers)
        assert job.status_code == 202
        done = wait_job(client, job.json()["id"], headers, seconds=60)
        assert done["state"] == "succeeded", done
        version = client.get(f"/versions/{done['version_id']}", headers=headers).json()
        published = client.get(f"/weeks/{week_id}", headers=headers).json()["published_version_id"]
        diff = client.get(f"/versions/{published}/compare/{version['id']}", headers=headers)
    assert version["status"] == "OPTIMAL" and version["violations"] == []
    assert diff.json()["changes"] == []  # the same week solved twice to optimality
