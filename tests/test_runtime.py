"""A run pauses the cyclic garbage collector (its objects live until the run ends) and always
gives it back as it found it: lintkit also runs inside flake8 and cfn-lint."""

from __future__ import annotations

import gc

import pytest

from helpers import CLEAN_HANDLER, sqs_template, write

from lintkit.config import Config
from lintkit.engine import check
from lintkit.findings import Severity
from lintkit.rule import Registry, TemplateRule, registry
from lintkit.runtime import paused_gc


@pytest.fixture
def gc_enabled():
    was_enabled = gc.isenabled()
    gc.enable()
    yield
    if not was_enabled:
        gc.disable()


def test_paused_inside_and_restored_after(gc_enabled):
    with paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_exception(gc_enabled):
    with pytest.raises(ValueError), paused_gc():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_collector_the_host_disabled_stays_disabled(gc_enabled):
    gc.disable()
    with paused_gc():
        assert not gc.isenabled()
    assert not gc.isenabled()


class RecordsCollectorState(TemplateRule):
    """Records whether the collector runs while rules run."""

    code = "LK997"
    name = "records-collector-state"
    summary = "Records gc.isenabled()."
    severity = Severity.INFO
    seen: list[bool] = []

    def check(self, template) -> None:
        RecordsCollectorState.seen.append(gc.isenabled())


def test_a_run_pauses_the_collector_and_gives_it_back(tmp_path, gc_enabled):
    write(tmp_path / "template.yaml", sqs_template())
    write(tmp_path / "app.py", CLEAN_HANDLER)
    rules = Registry([*registry(), RecordsCollectorState])
    RecordsCollectorState.seen = []
    result = check([tmp_path], registry=rules, config=Config(path=None, root=tmp_path), enabled=set(rules.codes))
    assert RecordsCollectorState.seen == [False]
    assert gc.isenabled()
    assert [f.code for f in result.findings] == ["LK501"]


def test_the_executable_runs_without_the_collector(monkeypatch, gc_enabled, capsys):
    # `lintkit` is one command in a process of its own: the collector is not turned back on (a
    # collection after the run would walk everything the run built)
    from lintkit.cli import entry_point

    monkeypatch.setattr("sys.argv", ["lintkit", "--version"])
    with pytest.raises(SystemExit) as exited:
        entry_point()
    assert exited.value.code == 0 and "lintkit" in capsys.readouterr().out
    assert not gc.isenabled()
