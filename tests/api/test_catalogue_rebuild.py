"""The periodic rebuild of the public catalogue and the role index runs on a thread of its own: while
it loads, requests keep answering from the last complete view (none waits for it), a change made
meanwhile is not lost, and the new view replaces the old one when it is complete. On PostgreSQL and
SQLite, each with a database of the test's own (the rebuild opens its own session on the engine)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from brokerage.matches import index_holder
from brokerage.models import Role
from brokerage.roles import catalogue as catalogue_module
from tests.factories import ASHFORD, Factory


@pytest.fixture(params=["postgresql", "sqlite"])
def own_engine(request, tmp_path, pg_database, migrated_sqlite) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = migrated_sqlite(tmp_path / "rebuild.sqlite3")
        yield engine
        engine.dispose()
        return
    with pg_database("rebuild") as url:
        engine = create_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


def _wait(check, what: str) -> None:
    deadline = time.monotonic() + 30
    while not check():
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.02)


def _titles(cat: catalogue_module.Catalogue, engine: Engine) -> dict[int, str]:
    with Session(engine) as s:
        return {rid: summary.title for rid, summary in cat.current(s).summaries.items()}


def test_the_catalogue_is_rebuilt_aside_while_requests_answer_from_the_last_view(own_engine, monkeypatch):
    engine = own_engine
    monkeypatch.setattr(catalogue_module, "SYNC_EVERY_SECONDS", 0.0)
    with Session(engine, expire_on_commit=False) as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        first = f.role(org, title="Lunch club helper")
    cat = catalogue_module.Catalogue()
    assert _titles(cat, engine) == {first.id: "Lunch club helper"}

    # The full rebuild is due; its load is held until the test lets it go.
    loading, release = threading.Event(), threading.Event()
    real_load = catalogue_module._load

    def held_load(session, role_ids=None):
        if threading.current_thread().name == "catalogue-rebuild":
            loading.set()
            assert release.wait(30)
        return real_load(session, role_ids)

    monkeypatch.setattr(catalogue_module, "_load", held_load)
    monkeypatch.setattr(cat, "_built_at", time.monotonic() - catalogue_module.FULL_REFRESH_SECONDS - 1)
    assert _titles(cat, engine) == {first.id: "Lunch club helper"}  # answered at once, from the view held
    assert loading.wait(30)

    # Meanwhile a role is published and another edited: requests keep answering, and catch up.
    with Session(engine, expire_on_commit=False) as s:
        second = Factory(s).role(org, title="Garden volunteer")
        s.get_one(Role, first.id).title = "Lunch club host"
        s.commit()
    _wait(lambda: _titles(cat, engine) == {first.id: "Lunch club host", second.id: "Garden volunteer"}, "the changes")
    assert cat._building

    version = cat.version
    release.set()
    _wait(lambda: not cat._building and cat.version > version, "the rebuilt catalogue swapped in")
    assert _titles(cat, engine) == {first.id: "Lunch club host", second.id: "Garden volunteer"}


def test_the_role_index_is_rebuilt_aside_while_searches_rank_from_the_last_one(own_engine, monkeypatch):
    engine = own_engine
    monkeypatch.setattr(index_holder, "SYNC_EVERY_SECONDS", 0.0)
    with Session(engine, expire_on_commit=False) as s:
        f = Factory(s)
        org = f.organisation(ASHFORD)
        first = f.role(org, title="Lunch club helper")
    holder = index_holder.IndexHolder()
    with Session(engine) as s:
        old = holder.get(s)
    assert old.get(first.id) is not None

    loading, release = threading.Event(), threading.Event()
    real_features = index_holder.role_features

    def held_features(session, role_ids=None, **kw):
        if threading.current_thread().name == "role-index-rebuild":
            loading.set()
            assert release.wait(30)
        return real_features(session, role_ids, **kw)

    monkeypatch.setattr(index_holder, "role_features", held_features)
    monkeypatch.setattr(holder, "_built_at", time.monotonic() - index_holder.FULL_REFRESH_SECONDS - 1)
    with Session(engine) as s:
        assert holder.get(s) is old  # answered at once, from the index held
    assert loading.wait(30)
    with Session(engine, expire_on_commit=False) as s:
        second = Factory(s).role(org, title="Garden volunteer")

    def has_second() -> bool:
        with Session(engine) as s:
            return holder.get(s).get(second.id) is not None

    _wait(has_second, "the new role, caught up while the rebuild was held")
    release.set()
    _wait(lambda: not holder._building and holder.index is not old, "the rebuilt index swapped in")
    with Session(engine) as s:
        index = holder.get(s)
    assert index.get(first.id) is not None and index.get(second.id) is not None
