"""``flask backup`` makes a copy that restores into a working database with the same data."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from portfolio.accounts.models import User
from tests.conftest import need, postgres_database
from tests.factories import make_user


def _names(engine_url: str) -> list[str]:
    engine = create_engine(engine_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(User.name).order_by(User.name)).scalars())
    finally:
        engine.dispose()


def test_backup_while_running_then_restore(app, runner, tmp_path):
    make_user(name="Bea Backup")
    target = tmp_path / "copy.dump"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output and target.stat().st_size > 0
    make_user(name="Lou Later")  # after the backup: not in it

    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        restored = tmp_path / "restored.sqlite3"
        shutil.copy(target, restored)  # the restore: the copy in place of the database file
        assert _names(f"sqlite:///{restored}") == ["Bea Backup"]
        return
    pg_restore = shutil.which("pg_restore")
    need(pg_restore is not None, "pg_restore is not installed")
    with postgres_database(str(url), f"restore_{uuid.uuid4().hex[:12]}") as restored:
        plain = make_url(restored).set(drivername="postgresql")
        libpq = plain.render_as_string(hide_password=False)
        done = subprocess.run(
            [pg_restore, "--no-owner", "-d", libpq, str(target)],
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        assert _names(restored) == ["Bea Backup"]


def test_backup_says_what_is_wrong(tmp_path):
    from portfolio.backup import BackupError, backup

    with pytest.raises(BackupError, match="no backup for mysql"):
        backup("mysql://nobody@localhost/none", tmp_path / "x")
    with pytest.raises(BackupError, match="in-memory"):
        backup("sqlite://", tmp_path / "x")
