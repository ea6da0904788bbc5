from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys
import time

import pytest

from lintkit import discovery as discovery_mod
from lintkit.discovery import (
    DEFAULT_EXCLUDED_DIRS,
    HEAD_SIZE,
    DiscoveredFile,
    Discovery,
    FileKind,
    GitIgnore,
    classify,
    discover,
)

SAM_YAML = """\
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
"""

CFN_JSON = json.dumps(
    {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}},
    indent=2,
)

CDK_MANIFEST = json.dumps({"version": "36.0.0", "artifacts": {"Stack": {"type": "aws:cloudformation:stack"}}})


def write(root: pathlib.Path, rel: str, content: str | bytes = "") -> pathlib.Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def listing(result: Discovery) -> list[tuple[str, str, bool]]:
    return [(f.path.as_posix(), f.kind.value, f.explicit) for f in result.files]


def relisting(result: Discovery, root: pathlib.Path) -> list[tuple[str, str]]:
    return [(f.path.relative_to(root).as_posix(), f.kind.value) for f in result.files]


def problems(result: Discovery, root: pathlib.Path | None = None) -> list[tuple[str, str]]:
    out = []
    for path, message in result.problems:
        if root is not None:
            path = path.relative_to(root)
        out.append((path.as_posix(), message))
    return out


needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink") or sys.platform == "win32", reason="needs symlinks")


@pytest.fixture
def project(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "proj"
    write(root, "src/app.py", "def handler(event, context):\n    return 1\n")
    write(root, "src/lib/util.py", "X = 1\n")
    write(root, "src/README.md", "# readme\n")
    write(root, "template.yaml", SAM_YAML)
    write(root, "template.json", CFN_JSON)
    write(root, "config.yaml", "debug: true\nname: app\n")
    write(root, "events/event.json", '{"body": "{}"}')
    write(root, ".git/hooks/pre-commit.py", "x = 1\n")
    write(root, ".git/config.yaml", SAM_YAML)
    write(root, "node_modules/pkg/index.py", "x = 1\n")
    write(root, ".venv/lib/site.py", "x = 1\n")
    write(root, "myenv/pyvenv.cfg", "home = /usr/bin\n")
    write(root, "myenv/lib/python3.12/thing.py", "x = 1\n")
    write(root, ".aws-sam/build/Fn/app.py", "x = 1\n")
    write(root, ".aws-sam/build/template.yaml", SAM_YAML)
    write(root, "cdk.out/manifest.json", CDK_MANIFEST)
    write(root, "cdk.out/Stack.template.json", CFN_JSON)
    write(root, "src/__pycache__/app.cpython-312.py", "x = 1\n")
    write(root, "pkg.egg-info/setup.py", "x = 1\n")
    write(root, "build/lib/app.py", "x = 1\n")
    return root


# --------------------------------------------------------------------------- walking


def test_walk_project_finds_exactly_our_files(project: pathlib.Path) -> None:
    result = discover([project])
    assert relisting(result, project) == [
        ("cdk.out/manifest.json", "cdk-assembly"),  # the assembly is not walked, its manifest is read
        ("src/app.py", "python"),
        ("src/lib/util.py", "python"),
        ("template.json", "template"),
        ("template.yaml", "template"),
    ]
    assert all(not f.explicit for f in result.files)
    assert result.problems == []


def test_relative_paths_stay_relative(project: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    assert listing(discover(["."])) == [
        ("cdk.out/manifest.json", "cdk-assembly", False),
        ("src/app.py", "python", False),
        ("src/lib/util.py", "python", False),
        ("template.json", "template", False),
        ("template.yaml", "template", False),
    ]
    assert listing(discover(["src"])) == [
        ("src/app.py", "python", False),
        ("src/lib/util.py", "python", False),
    ]
    assert listing(discover(["./src/lib"])) == [("src/lib/util.py", "python", False)]


def test_explicitly_named_excluded_dirs_are_walked(project: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    assert listing(discover(["cdk.out"])) == [
        ("cdk.out/Stack.template.json", "template", False),
        ("cdk.out/manifest.json", "cdk-assembly", False),
    ]
    assert listing(discover([".aws-sam/build"])) == [
        (".aws-sam/build/Fn/app.py", "python", False),
        (".aws-sam/build/template.yaml", "template", False),
    ]
    # A venv named explicitly is walked too (its pyvenv.cfg only prunes it while walking).
    assert listing(discover(["myenv"])) == [("myenv/lib/python3.12/thing.py", "python", False)]
    # ...but excluded names below an explicitly named directory are still pruned.
    write(project, "cdk.out/node_modules/x.py", "x = 1\n")
    assert [f.path.as_posix() for f in discover(["cdk.out"]).files] == [
        "cdk.out/Stack.template.json",
        "cdk.out/manifest.json",
    ]


def test_explicit_files(project: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = discover(["cdk.out/manifest.json", "template.yaml", "src/app.py"])
    assert listing(result) == [
        ("cdk.out/manifest.json", "cdk-assembly", True),
        ("src/app.py", "python", True),
        ("template.yaml", "template", True),
    ]
    assert result.problems == []


def test_explicit_and_walked_same_file_once(project: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = discover([".", "src/app.py", "./src", "template.yaml"])
    assert listing(result) == [
        ("cdk.out/manifest.json", "cdk-assembly", False),
        ("src/app.py", "python", True),
        ("src/lib/util.py", "python", False),
        ("template.json", "template", False),
        ("template.yaml", "template", True),
    ]
    # Named under another spelling: still one entry, and the explicit naming is kept.
    result = discover([".", str(project / "template.yaml")])
    assert listing(result) == [
        ((project / "template.yaml").as_posix(), "template", True),
        ("cdk.out/manifest.json", "cdk-assembly", False),
        ("src/app.py", "python", False),
        ("src/lib/util.py", "python", False),
        ("template.json", "template", False),
    ]


def test_missing_and_skipped_explicit_paths(project: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(project)
    result = discover(["nope.py", "config.yaml", "src/README.md", "src/app.py", "no/such/dir"])
    assert listing(result) == [("src/app.py", "python", True)]
    assert problems(result) == [
        ("config.yaml", "not a CloudFormation/SAM template; skipped"),
        ("no/such/dir", "no such file or directory"),
        ("nope.py", "no such file or directory"),
        ("src/README.md", "not a Python file or template; skipped"),
    ]


def test_explicit_file_is_included_even_if_excluded_or_ignored(project: pathlib.Path) -> None:
    write(project, ".gitignore", "template.yaml\n")
    result = discover([project / "template.yaml"], exclude=["template.*"])
    assert listing(result) == [((project / "template.yaml").as_posix(), "template", True)]
    walked = discover([project], exclude=["*.json"])
    assert relisting(walked, project) == [("src/app.py", "python"), ("src/lib/util.py", "python")]


def test_default_excluded_dirs_constant() -> None:
    for name in (".git", "node_modules", ".venv", "venv", ".aws-sam", "cdk.out", "__pycache__", "site-packages"):
        assert name in DEFAULT_EXCLUDED_DIRS
    assert isinstance(DEFAULT_EXCLUDED_DIRS, frozenset)


def test_results_are_sorted_by_posix_path(tmp_path: pathlib.Path) -> None:
    for rel in ("b.py", "a/z.py", "A.py", "a.py", "a-b/c.py", "a_b.py"):
        write(tmp_path, rel, "x = 1\n")
    result = discover([tmp_path])
    paths = [f.path.as_posix() for f in result.files]
    assert paths == sorted(paths)
    assert len(paths) == 6


# --------------------------------------------------------------------------- exclude


def test_exclude_patterns(project: pathlib.Path) -> None:
    # Base-name pattern prunes a directory.
    assert relisting(discover([project], exclude=["lib"]), project) == [
        ("cdk.out/manifest.json", "cdk-assembly"),
        ("src/app.py", "python"),
        ("template.json", "template"),
        ("template.yaml", "template"),
    ]
    # Relative-path pattern (with a leading ./ and a trailing /, both tolerated).
    assert relisting(discover([project], exclude=["./src/lib/"]), project) == [
        ("cdk.out/manifest.json", "cdk-assembly"),
        ("src/app.py", "python"),
        ("template.json", "template"),
        ("template.yaml", "template"),
    ]
    # fnmatch '*' crosses '/', so "src/*" drops everything under src.
    assert relisting(discover([project], exclude=["src/*", "*.json"]), project) == [
        ("template.yaml", "template"),
    ]
    # A relative-path pattern does not match at another depth.
    assert relisting(discover([project], exclude=["lib/util.py"]), project) == [
        ("cdk.out/manifest.json", "cdk-assembly"),
        ("src/app.py", "python"),
        ("src/lib/util.py", "python"),
        ("template.json", "template"),
        ("template.yaml", "template"),
    ]


def test_exclude_relative_to_exclude_root(project: pathlib.Path) -> None:
    # Patterns from a config at the project root still apply when walking a subdirectory.
    result = discover([project / "src"], exclude=["src/lib"], exclude_root=project)
    assert relisting(result, project) == [("src/app.py", "python")]
    # Without it the pattern is relative to the walked root and does not match.
    result = discover([project / "src"], exclude=["src/lib"])
    assert relisting(result, project) == [("src/app.py", "python"), ("src/lib/util.py", "python")]
    # Root-relative patterns still work alongside it.
    result = discover([project / "src"], exclude=["lib/util.py"], exclude_root=project)
    assert relisting(result, project) == [("src/app.py", "python")]
    # A walked root outside the exclude root: patterns are relative to the walked root only.
    result = discover([project / "src"], exclude=["lib"], exclude_root=project / "elsewhere")
    assert relisting(result, project) == [("src/app.py", "python")]


# --------------------------------------------------------------------------- .gitignore


def test_gitignore_basic_negation_and_dir_only(tmp_path: pathlib.Path) -> None:
    write(
        tmp_path,
        ".gitignore",
        "# generated\n\n*.py\n!keep.py\ngen/\nlogs\n",
    )
    write(tmp_path, "a.py", "")
    write(tmp_path, "keep.py", "")
    write(tmp_path, "sub/keep.py", "")
    write(tmp_path, "sub/b.py", "")
    write(tmp_path, "gen/template.yaml", SAM_YAML)
    write(tmp_path, "gen.yaml", SAM_YAML)  # "gen/" is for directories only
    write(tmp_path, "other/gen", "")  # a file named gen: not ignored by "gen/"
    write(tmp_path, "logs/t.yaml", SAM_YAML)
    write(tmp_path, "x/logs/t.yaml", SAM_YAML)
    assert relisting(discover([tmp_path]), tmp_path) == [
        ("gen.yaml", "template"),
        ("keep.py", "python"),
        ("sub/keep.py", "python"),
    ]
    # respect_gitignore=False: everything.
    assert len(discover([tmp_path], respect_gitignore=False).files) == 8


def test_gitignore_anchored_patterns(tmp_path: pathlib.Path) -> None:
    write(tmp_path, ".gitignore", "/top.py\nsrc/gen.py\n")
    write(tmp_path, "top.py", "")
    write(tmp_path, "sub/top.py", "")
    write(tmp_path, "src/gen.py", "")
    write(tmp_path, "lib/src/gen.py", "")  # middle slash anchors: not matched here
    assert relisting(discover([tmp_path]), tmp_path) == [
        ("lib/src/gen.py", "python"),
        ("sub/top.py", "python"),
    ]


def test_gitignore_double_star(tmp_path: pathlib.Path) -> None:
    write(tmp_path, ".gitignore", "**/fixtures\nvendor/**\na/**/b.py\n!vendor/keep.py\n")
    write(tmp_path, "fixtures/t.py", "")
    write(tmp_path, "deep/er/fixtures/t.py", "")
    write(tmp_path, "vendor/x.py", "")
    write(tmp_path, "vendor/deep/y.py", "")
    write(tmp_path, "vendor/keep.py", "")  # "vendor/**" leaves vendor itself, so this can come back
    write(tmp_path, "a/b.py", "")
    write(tmp_path, "a/x/y/b.py", "")
    write(tmp_path, "a/x/c.py", "")
    write(tmp_path, "z/a/b.py", "")
    assert relisting(discover([tmp_path]), tmp_path) == [
        ("a/x/c.py", "python"),
        ("vendor/keep.py", "python"),
        ("z/a/b.py", "python"),
    ]


def test_gitignore_cannot_reinclude_below_ignored_dir(tmp_path: pathlib.Path) -> None:
    write(tmp_path, ".gitignore", "out/\n!out/keep.py\n")
    write(tmp_path, "out/keep.py", "")
    write(tmp_path, "ok.py", "")
    assert relisting(discover([tmp_path]), tmp_path) == [("ok.py", "python")]


def test_nested_gitignore_applies_to_its_subtree(tmp_path: pathlib.Path) -> None:
    write(tmp_path, ".gitignore", "*.gen.py\n")
    write(tmp_path, "pkg/.gitignore", "/local.py\n!keep.gen.py\n")
    write(tmp_path, "local.py", "")  # the nested anchored pattern does not apply up here
    write(tmp_path, "pkg/local.py", "")
    write(tmp_path, "pkg/sub/local.py", "")  # anchored to pkg/: not matched
    write(tmp_path, "pkg/a.gen.py", "")
    write(tmp_path, "pkg/keep.gen.py", "")  # the deeper file overrides the root one
    write(tmp_path, "keep.gen.py", "")  # ...only in its subtree
    write(tmp_path, "other/.gitignore", "*.py\n")
    write(tmp_path, "other/x.py", "")
    write(tmp_path, "sibling/x.py", "")
    assert relisting(discover([tmp_path]), tmp_path) == [
        ("local.py", "python"),
        ("pkg/keep.gen.py", "python"),
        ("pkg/sub/local.py", "python"),
        ("sibling/x.py", "python"),
    ]


def test_gitignore_character_classes_and_question_mark(tmp_path: pathlib.Path) -> None:
    write(tmp_path, ".gitignore", "test_[0-9].py\nv?.py\n[!a]x.py\n\\#hash.py\nspace.py\\ \n")
    for name in ("test_1.py", "test_a.py", "v1.py", "v10.py", "ax.py", "bx.py", "#hash.py", "space.py"):
        write(tmp_path, name, "")
    assert [f.path.name for f in discover([tmp_path]).files] == ["ax.py", "space.py", "test_a.py", "v10.py"]


def test_gitignore_matcher_directly() -> None:
    gi = GitIgnore.from_text("build/\n/root.txt\ndocs/**/*.md\n!docs/keep.md\n")
    assert gi.match("build", True) is True
    assert gi.match("build", False) is None
    assert gi.match("a/build", True) is True
    assert gi.match("root.txt", False) is True
    assert gi.match("a/root.txt", False) is None
    assert gi.match("docs/x.md", False) is True
    assert gi.match("docs/a/b/x.md", False) is True
    assert gi.match("docs/keep.md", False) is False
    assert gi.match("other/docs/x.md", False) is None


# --------------------------------------------------------------------------- classification


def test_classify_by_markers(tmp_path: pathlib.Path) -> None:
    assert classify(pathlib.Path("x/app.py")) is FileKind.PYTHON
    assert classify(pathlib.Path("x/app.pyi")) is None
    assert classify(pathlib.Path("README.md")) is None
    assert classify(pathlib.Path("t.yaml"), SAM_YAML.encode()) is FileKind.TEMPLATE
    assert classify(pathlib.Path("t.yml"), b"AWSTemplateFormatVersion: '2010-09-09'\n") is FileKind.TEMPLATE
    assert classify(pathlib.Path("t.template"), b"Transform: AWS::Serverless-2016-10-31\n") is FileKind.TEMPLATE
    assert classify(pathlib.Path("t.json"), CFN_JSON.encode()) is FileKind.TEMPLATE
    assert classify(pathlib.Path("t.yaml"), b"Resources:\n  Q:\n    Type: 'Custom::Thing'\n") is FileKind.TEMPLATE
    # Resources without an AWS type, or Transform without AWS::Serverless: not ours.
    assert classify(pathlib.Path("t.yaml"), b"Resources:\n  Q:\n    Type: thing\n") is None
    assert classify(pathlib.Path("t.yaml"), b"Transform: upper\n") is None
    assert classify(pathlib.Path("t.yaml"), b"Type: AWS::S3::Bucket\n") is None  # no Resources
    assert classify(pathlib.Path("docker-compose.yml"), b"services:\n  web:\n    image: x\n") is None


def test_classify_cdk_manifest(tmp_path: pathlib.Path) -> None:
    assert classify(pathlib.Path("cdk.out/manifest.json"), b"{}") is FileKind.CDK_ASSEMBLY
    assert classify(pathlib.Path("assembly/manifest.json"), CDK_MANIFEST.encode()) is FileKind.CDK_ASSEMBLY
    assert classify(pathlib.Path("assembly/manifest.json"), b'{"name": "x"}') is None
    assert classify(pathlib.Path("assembly/other.json"), CDK_MANIFEST.encode()) is None


def test_classify_reads_the_file(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path, "t.yaml", SAM_YAML)
    assert classify(path) is FileKind.TEMPLATE
    with pytest.raises(OSError):
        classify(tmp_path / "missing.yaml")


def test_classify_utf16_and_utf8_bom(tmp_path: pathlib.Path) -> None:
    le = write(tmp_path, "le.yaml", SAM_YAML.encode("utf-16"))  # with BOM (native order)
    be = write(tmp_path, "be.json", b"\xfe\xff" + CFN_JSON.encode("utf-16-be"))
    bom8 = write(tmp_path, "bom.yaml", b"\xef\xbb\xbf" + SAM_YAML.encode())
    plain16 = write(tmp_path, "plain16.yaml", "debug: true\n".encode("utf-16"))
    assert classify(le) is FileKind.TEMPLATE
    assert classify(be) is FileKind.TEMPLATE
    assert classify(bom8) is FileKind.TEMPLATE
    assert classify(plain16) is None
    assert relisting(discover([tmp_path]), tmp_path) == [
        ("be.json", "template"),
        ("bom.yaml", "template"),
        ("le.yaml", "template"),
    ]


def test_binary_junk_does_not_crash(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "junk.yaml", bytes(range(256)) * 50)
    write(tmp_path, "junk.json", b"\x00\xff\xfe\x00" * 1000)
    write(tmp_path, "marked.yaml", b"\x00\x00\xff" + b"AWSTemplateFormatVersion: x\x00\xc3\x28\n")
    write(tmp_path, "bad.py", b"\x00\xff")  # Python files are not read here
    assert relisting(discover([tmp_path]), tmp_path) == [
        ("bad.py", "python"),
        ("marked.yaml", "template"),
    ]


def test_only_the_head_is_read(tmp_path: pathlib.Path) -> None:
    late = write(tmp_path, "late.yaml", "# pad\n" * (HEAD_SIZE // 6 + 10) + SAM_YAML)
    early = write(tmp_path, "early.yaml", SAM_YAML + "# pad\n" * 100_000)
    assert classify(late) is None  # the markers are beyond the first 64 KiB
    assert classify(early) is FileKind.TEMPLATE
    assert classify(pathlib.Path("x.yaml"), b"x" * HEAD_SIZE + b"AWSTemplateFormatVersion") is None


def test_reads_at_most_64k(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path, "big.yaml", "a: b\n" * 100_000)
    sizes: list[int] = []
    real_open = open

    class Spy:
        def __init__(self, fp):
            self.fp = fp

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fp.close()

        def read(self, n=-1):
            sizes.append(n)
            return self.fp.read(n)

    def spy_open(path, mode="r", *args, **kwargs):
        return Spy(real_open(path, mode, *args, **kwargs))

    monkeypatch.setattr(discovery_mod, "open", spy_open, raising=False)
    assert discover([tmp_path]).files == []
    assert sizes == [HEAD_SIZE]


# --------------------------------------------------------------------------- robustness


@needs_symlinks
def test_symlink_loop_is_not_followed(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "pkg/app.py", "")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop", target_is_directory=True)
    os.symlink(tmp_path / "pkg", tmp_path / "pkg" / "self", target_is_directory=True)
    result = discover([tmp_path])
    assert relisting(result, tmp_path) == [("pkg/app.py", "python")]
    assert result.problems == []


@needs_symlinks
def test_symlinked_files_and_explicit_symlinked_dir(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "real/app.py", "")
    write(tmp_path, "outside/t.yaml", SAM_YAML)
    proj = tmp_path / "proj"
    proj.mkdir()
    os.symlink(tmp_path / "real" / "app.py", proj / "link.py")  # a symlinked file is followed
    os.symlink(tmp_path / "outside", proj / "outdir", target_is_directory=True)  # a dir is not
    os.symlink(tmp_path / "missing.py", proj / "broken.py")
    os.symlink(tmp_path / "missing.txt", proj / "broken.txt")  # not a name we care about
    result = discover([proj])
    assert relisting(result, proj) == [("link.py", "python")]
    assert problems(result, proj) == [("broken.py", "broken symbolic link; skipped")]
    # Named explicitly, a symlinked directory is walked.
    assert relisting(discover([proj / "outdir"]), proj) == [("outdir/t.yaml", "template")]
    # The link and its target are the same file: listed once.
    both = discover([proj / "link.py", tmp_path / "real"])
    assert [f.path for f in both.files] == [proj / "link.py"]
    assert both.files[0].explicit is True


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_directory_and_file(tmp_path: pathlib.Path) -> None:
    write(tmp_path, "ok.py", "")
    locked = write(tmp_path, "locked/a.py", "").parent
    secret = write(tmp_path, "secret.yaml", SAM_YAML)
    os.chmod(locked, 0)
    os.chmod(secret, 0)
    try:
        result = discover([tmp_path])
    finally:
        os.chmod(locked, 0o755)
        os.chmod(secret, 0o644)
    assert relisting(result, tmp_path) == [("ok.py", "python")]
    assert [(p, m.split(":")[0]) for p, m in problems(result, tmp_path)] == [
        ("locked", "cannot read directory"),
        ("secret.yaml", "cannot read file"),
    ]


def test_unreadable_directory_and_file_simulated(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Runs everywhere (even as root): the OS errors are simulated.
    write(tmp_path, "ok.py", "")
    write(tmp_path, "locked/a.py", "")
    write(tmp_path, "secret.yaml", SAM_YAML)
    real_scandir = os.scandir
    real_open = open

    def fake_scandir(path):
        if os.path.basename(os.fspath(path)) == "locked":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    def fake_open(path, *args, **kwargs):
        if os.path.basename(os.fspath(path)) == "secret.yaml":
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(discovery_mod.os, "scandir", fake_scandir)
    monkeypatch.setattr(discovery_mod, "open", fake_open, raising=False)
    result = discover([tmp_path])
    assert relisting(result, tmp_path) == [("ok.py", "python")]
    assert problems(result, tmp_path) == [
        ("locked", "cannot read directory: Permission denied"),
        ("secret.yaml", "cannot read file: Permission denied"),
    ]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_never_opened(tmp_path: pathlib.Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    write(tmp_path, "a.py", "")
    assert relisting(discover([tmp_path]), tmp_path) == [("a.py", "python")]
    result = discover([tmp_path / "pipe.yaml"])
    assert result.files == []
    assert problems(result, tmp_path) == [("pipe.yaml", "not a regular file or directory; skipped")]


def test_discovered_file_is_frozen() -> None:
    f = DiscoveredFile(pathlib.Path("a.py"), FileKind.PYTHON, False)
    with pytest.raises(Exception):
        f.kind = FileKind.TEMPLATE  # type: ignore[misc]


def test_ten_thousand_files_walk_fast(tmp_path: pathlib.Path) -> None:
    write(tmp_path, ".gitignore", "*.pyc\nbuild/\n/tmp\n")
    for d in range(100):
        sub = tmp_path / f"pkg{d}" / "mod"
        sub.mkdir(parents=True)
        for i in range(100):
            name = f"m{i}.py" if i % 4 else f"m{i}.txt"
            os.close(os.open(sub / name, os.O_CREAT | os.O_WRONLY, 0o644))
    timings = []
    for _ in range(3):  # best of three, so a busy machine does not make this flaky
        start = time.perf_counter()
        result = discover([tmp_path])
        timings.append(time.perf_counter() - start)
        assert len(result.files) == 7500
        if timings[-1] < 1.0:
            break
    assert min(timings) < 1.0, f"walking 10,000 files took {min(timings):.2f}s"


def test_a_cdk_out_met_while_walking_gives_its_manifest(project: pathlib.Path) -> None:
    """cdk.out is build output (not walked: its asset copies are not the user's code), but its
    manifest is how the stack templates are read, also from a folder above the app, and also
    when .gitignore lists it (as `cdk init` writes it)."""
    write(project, ".gitignore", "cdk.out\n")
    nested = project.parent / "monorepo"
    shutil.copytree(project, nested / "services" / "orders")
    assert relisting(discover([nested]), nested)[:1] == [("services/orders/cdk.out/manifest.json", "cdk-assembly")]
    # the config's exclude still applies, to the folder or the file
    for pattern in ("cdk.out", "services/orders/cdk.out", "*.json"):
        assert not [f for f in discover([nested], exclude=[pattern]).files if f.kind is FileKind.CDK_ASSEMBLY]
    # a cdk.out without a manifest is nothing
    (nested / "services" / "orders" / "cdk.out" / "manifest.json").unlink()
    assert not [f for f in discover([nested]).files if f.kind is FileKind.CDK_ASSEMBLY]
