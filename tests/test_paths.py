"""`RealPaths` answers what `Path.resolve()` answers, asking the file system less."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lintkit.paths import RealPaths

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links as on POSIX")


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "real" / "app").mkdir(parents=True)
    (tmp_path / "real" / "app" / "handler.py").write_text("")
    (tmp_path / "linked").symlink_to(tmp_path / "real")  # a linked folder
    (tmp_path / "real" / "app" / "alias.py").symlink_to("handler.py")  # a linked file, relative
    (tmp_path / "real" / "up").symlink_to(tmp_path / "real" / "app")
    return tmp_path


CASES = [
    "real/app/handler.py",
    "linked/app/handler.py",
    "linked/app/alias.py",
    "real/up/../app/handler.py",  # `..` after a link: not lexical
    "linked/app/missing.py",
    "real",
    ".",
]


@pytest.mark.parametrize("relative", CASES)
def test_same_answer_as_resolve(tree, monkeypatch, relative):
    monkeypatch.chdir(tree)
    real = RealPaths()
    assert real(relative) == Path(relative).resolve()
    assert real(tree / relative) == (tree / relative).resolve()
    assert real(Path(relative)) == Path(relative).resolve()  # asked again, from what it learnt


def test_each_folder_is_asked_once(tree, monkeypatch):
    asked: list[str] = []
    original = os.path.islink
    monkeypatch.setattr(os.path, "islink", lambda p: asked.append(p) or original(p))
    real = RealPaths()
    for name in ("a.py", "b.py", "c.py"):
        real(tree / "linked" / "app" / name)
    names = [Path(p).name for p in asked]
    assert names.count("app") == 1 and names.count("linked") == 1
    assert sorted(n for n in names if n.endswith(".py")) == ["a.py", "b.py", "c.py"]


def test_a_symlink_loop_does_not_raise(tree):
    (tree / "loop").symlink_to(tree / "loop")
    assert RealPaths()(tree / "loop" / "x.py").name == "x.py"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("app/handler.py", "app/handler.py"),
        ("./app//handler.py", "app/handler.py"),
        ("app/../other/handler.py", "other/handler.py"),
        ("{cwd}/app/handler.py", "app/handler.py"),
        ("{cwd}/../elsewhere/handler.py", "{parent}/elsewhere/handler.py"),
    ],
)
def test_display_path(tmp_path, monkeypatch, given, shown):
    from lintkit.engine import display_path

    cwd = tmp_path / "project"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    values = {"cwd": cwd.as_posix(), "parent": tmp_path.as_posix()}
    assert display_path(Path(given.format(**values))) == shown.format(**values)


def test_repository_root_remembers_the_folders_on_the_way(tmp_path, monkeypatch):
    from lintkit.project import repository_root

    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "services" / "a").mkdir(parents=True)
    (tmp_path / "repo" / "services" / "b").mkdir(parents=True)
    (tmp_path / "loose" / "x").mkdir(parents=True)
    known: dict = {}
    assert repository_root(tmp_path / "repo" / "services" / "a", known) == tmp_path / "repo"
    asked: list[Path] = []
    original = os.path.exists
    monkeypatch.setattr(os.path, "exists", lambda path: asked.append(Path(path)) or original(path))
    assert repository_root(tmp_path / "repo" / "services" / "b", known) == tmp_path / "repo"
    assert asked == [tmp_path / "repo" / "services" / "b" / ".git"]  # `services` was known
    monkeypatch.undo()
    assert repository_root(tmp_path / "loose" / "x", known) == repository_root(tmp_path / "loose" / "x")
    assert known[tmp_path / "repo" / "services"] == tmp_path / "repo"
