"""Find the files lintkit checks: walk the paths the user gives and classify what is found.

Discovery never executes anything, never follows a symlinked directory while walking (so
there can be no loop), never reads more than the first 64 KiB of a file, and never raises for
an unreadable file or directory: those are recorded in `Discovery.problems`.
"""

from __future__ import annotations

import enum
import fnmatch
import os
import pathlib
import re
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "DEFAULT_EXCLUDED_DIRS",
    "DEFAULT_EXCLUDED_DIR_PATTERNS",
    "HEAD_SIZE",
    "SKIPPED_MESSAGES",
    "Discovery",
    "DiscoveredFile",
    "FileKind",
    "GitIgnore",
    "classify",
    "discover",
]

HEAD_SIZE = 64 * 1024


class FileKind(enum.Enum):
    PYTHON = "python"
    TEMPLATE = "template"  # CloudFormation / SAM, YAML or JSON
    CDK_ASSEMBLY = "cdk-assembly"  # a cdk.out/manifest.json (read by the CDK module)
    SERVERLESS = "serverless"  # a Serverless Framework serverless.yml / serverless.yaml
    TERRAFORM = "terraform"  # `*.tf` / `*.tf.json`: the files of a folder are one Terraform root


@dataclass(frozen=True)
class DiscoveredFile:
    path: pathlib.Path  # as found: joined from the given path (relative stays relative)
    kind: FileKind
    explicit: bool  # the user named this file directly


@dataclass
class Discovery:
    files: list[DiscoveredFile] = field(default_factory=list)  # sorted by path, each file once
    problems: list[tuple[pathlib.Path, str]] = field(default_factory=list)  # (path, message)


# Directory names pruned while walking (a directory named on the command line is still walked).
DEFAULT_EXCLUDED_DIRS: frozenset[str] = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".tox",
        ".nox",
        "node_modules",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".lintkit_cache",
        ".aws-sam",
        "cdk.out",
        ".serverless",
        ".terraform",
        ".eggs",
        "build",
        "dist",
        "site-packages",
    }
)
# Directory-name patterns pruned as well (fnmatch).
DEFAULT_EXCLUDED_DIR_PATTERNS: tuple[str, ...] = ("*.egg-info",)

# Any directory holding this file is a virtualenv, whatever its name.
_VENV_MARKER = "pyvenv.cfg"
# CDK's cloud assembly folder: pruned like other build output, but its manifest is read.
CDK_OUT = "cdk.out"

_PYTHON_SUFFIXES = frozenset({".py"})
_TEMPLATE_SUFFIXES = frozenset({".yaml", ".yml", ".json", ".template"})

MSG_MISSING = "no such file or directory"
# how every message about a file or folder that could not be read begins (the engine reports
# them as LK001)
UNREADABLE = "cannot read"
MSG_NOT_TEMPLATE = "not a CloudFormation/SAM template; skipped"
MSG_UNKNOWN_KIND = "not a Python file or template; skipped"
MSG_NOT_REGULAR = "not a regular file or directory; skipped"
MSG_BROKEN_LINK = "broken symbolic link; skipped"
# Notes that say a path is not something lintkit checks (rather than that one could not be read).
SKIPPED_MESSAGES = frozenset({MSG_NOT_TEMPLATE, MSG_UNKNOWN_KIND, MSG_NOT_REGULAR, MSG_BROKEN_LINK})


# --------------------------------------------------------------------------- classification

_TYPE_RE = re.compile(r"""["']?\bType["']?\s*:\s*["']?(?:AWS|Custom)::""")
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


_SERVERLESS_NAMES = frozenset({"serverless.yml", "serverless.yaml"})
_TEMPLATE_NAME = re.compile(r"^(template|.+\.template)\.(ya?ml|json)$", re.IGNORECASE)


def _decode(head: bytes) -> str:
    if head.startswith(_UTF32_BOMS):
        return head.decode("utf-32", errors="ignore")
    if head.startswith(_UTF16_BOMS):
        return head.decode("utf-16", errors="ignore")
    return head.decode("utf-8", errors="ignore")


def _read_head(path: str | os.PathLike) -> bytes:
    with open(path, "rb") as fp:
        return fp.read(HEAD_SIZE)


def _looks_like_template(text: str) -> bool:
    if "AWSTemplateFormatVersion" in text:
        return True
    if "Transform" in text and "AWS::Serverless" in text:
        return True
    return "Resources" in text and _TYPE_RE.search(text) is not None


def _looks_like_cdk_manifest(text: str) -> bool:
    return '"artifacts"' in text and '"version"' in text


def _is_terraform_name(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(".tf") or lowered.endswith(".tf.json")


def _classify(name: str, parent_name: str, path: str | os.PathLike, head: bytes | None) -> FileKind | None:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in _PYTHON_SUFFIXES:
        return FileKind.PYTHON
    if _is_terraform_name(name):
        return FileKind.TERRAFORM
    if suffix not in _TEMPLATE_SUFFIXES:
        return None
    if name.lower() in _SERVERLESS_NAMES:
        return FileKind.SERVERLESS
    is_manifest = name.lower() == "manifest.json"
    if is_manifest and parent_name == "cdk.out":
        return FileKind.CDK_ASSEMBLY
    if _TEMPLATE_NAME.match(name):
        # named like a template (SAM's `template.yaml`, CDK's `X.template.json`): checked whatever
        # it holds, so that an empty, binary or broken one is reported, never silently skipped
        return FileKind.TEMPLATE
    if head is None:
        head = _read_head(path)
    text = _decode(head[:HEAD_SIZE])
    if _looks_like_template(text):
        return FileKind.TEMPLATE
    if is_manifest and _looks_like_cdk_manifest(text):
        return FileKind.CDK_ASSEMBLY
    return None


def classify(path: pathlib.Path, head: bytes | None = None) -> FileKind | None:
    """Which kind of file `path` is, or None when it is not one lintkit checks.

    Only the name is looked at for Python and Terraform (`.tf`, `.tf.json`) files. Template
    candidates (`.yaml`, `.yml`, `.json`, `.template`) are classified by markers in their first 64 KiB: `head` when given (it is
    truncated to 64 KiB), otherwise read from the file, in which case an `OSError` from opening
    or reading it propagates to the caller. Nothing is ever executed.
    """
    pure = pathlib.PurePath(path)
    return _classify(pure.name, pure.parent.name, path, head)


def _is_candidate_name(name: str) -> bool:
    suffix = os.path.splitext(name)[1].lower()
    return suffix in _PYTHON_SUFFIXES or suffix in _TEMPLATE_SUFFIXES or _is_terraform_name(name)


# --------------------------------------------------------------------------- .gitignore


def _translate_class(pattern: str, i: int) -> tuple[str, int] | None:
    """Translate the `[...]` starting at pattern[i]; None when it is not closed."""
    n = len(pattern)
    j = i + 1
    negate = False
    if j < n and pattern[j] in "!^":
        negate = True
        j += 1
    start = j
    if j < n and pattern[j] == "]":  # a leading ']' is literal
        j += 1
    while j < n and pattern[j] != "]":
        if pattern[j] == "\\" and j + 1 < n:
            j += 1
        j += 1
    if j >= n:
        return None
    body = []
    k = start
    while k < j:
        ch = pattern[k]
        if ch == "\\" and k + 1 < j:
            k += 1
            body.append(re.escape(pattern[k]))
        elif ch == "-" and body and k + 1 < j:
            body.append("-")
        else:
            body.append(re.escape(ch) if ch not in "-" else r"\-")
        k += 1
    cls = "".join(body)
    # Like git's wildmatch with WM_PATHNAME, a class never matches '/'.
    return ("(?!/)[" + ("^" if negate else "") + cls + "]", j + 1)


def _translate_glob(pattern: str) -> str:
    """Regex (to be full-matched against a '/'-separated relative path) for a gitignore glob."""
    out: list[str] = []
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            j = i
            while j < n and pattern[j] == "*":
                j += 1
            at_start = i == 0 or pattern[i - 1] == "/"
            at_end = j == n or pattern[j] == "/"
            if j - i >= 2 and at_start and at_end:
                if j == n:  # trailing "**" (or the whole pattern): everything below
                    out.append(".*")
                else:  # "**/": zero or more directories
                    out.append("(?:.*/)?")
                    j += 1
            else:  # "*" (other runs of asterisks are plain asterisks)
                out.append("[^/]*")
            i = j
            continue
        if c == "?":
            out.append("[^/]")
        elif c == "[":
            translated = _translate_class(pattern, i)
            if translated is None:
                out.append(re.escape(c))
            else:
                regex, i = translated
                out.append(regex)
                continue
        elif c == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class _IgnoreRule:
    regex: re.Pattern[str]
    negate: bool
    dir_only: bool


class GitIgnore:
    """The rules of one `.gitignore` file; paths are relative to the file's directory."""

    def __init__(self, lines: Iterable[str]):
        self.rules: list[_IgnoreRule] = []
        for line in lines:
            rule = self._parse(line)
            if rule is not None:
                self.rules.append(rule)

    @classmethod
    def from_text(cls, text: str) -> "GitIgnore":
        return cls(text.splitlines())

    @staticmethod
    def _parse(line: str) -> _IgnoreRule | None:
        line = line.rstrip("\r\n")
        if not line or line.startswith("#"):
            return None
        # Trailing spaces are ignored unless escaped with a backslash.
        stripped = line.rstrip(" ")
        if stripped != line and stripped.endswith("\\"):
            stripped = stripped + " "
        line = stripped
        negate = False
        if line.startswith("!"):
            negate = True
            line = line[1:]
        elif line.startswith(("\\!", "\\#")):
            line = line[1:]
        dir_only = False
        if line.endswith("/") and not line.endswith("\\/"):
            dir_only = True
            line = line.rstrip("/")
        if not line:
            return None
        anchored = "/" in line
        line = line.lstrip("/") if line.startswith("/") else line
        if not line:
            return None
        body = _translate_glob(line)
        if not anchored:
            body = "(?:.*/)?" + body
        return _IgnoreRule(re.compile(body, re.DOTALL), negate, dir_only)

    def match(self, relpath: str, is_dir: bool) -> bool | None:
        """True = ignored, False = re-included by a negation, None = no rule matches."""
        for rule in reversed(self.rules):
            if rule.dir_only and not is_dir:
                continue
            if rule.regex.fullmatch(relpath):
                return not rule.negate
        return None


# A stack of (directory relative to the walked root, "" for the root; its rules).
_IgnoreStack = tuple[tuple[str, GitIgnore], ...]


def _is_gitignored(stack: _IgnoreStack, relpath: str, is_dir: bool) -> bool:
    # Deeper .gitignore files take precedence over those above them.
    for base, rules in reversed(stack):
        sub = relpath[len(base) + 1 :] if base else relpath
        verdict = rules.match(sub, is_dir)
        if verdict is not None:
            return verdict
    return False


# --------------------------------------------------------------------------- walking


def _message(exc: OSError, what: str) -> str:
    reason = exc.strerror or str(exc)
    return f"{UNREADABLE} {what}: {reason}"


class _Walker:
    def __init__(
        self,
        exclude: Sequence[str],
        respect_gitignore: bool,
        exclude_root: str | None,
    ):
        self.exclude = [p.strip().removeprefix("./").rstrip("/") for p in exclude if p.strip()]
        self.exclude = [p for p in self.exclude if p]
        self.respect_gitignore = respect_gitignore
        self.exclude_root = exclude_root
        # resolved path -> DiscoveredFile
        self.found: dict[str, DiscoveredFile] = {}
        self.problems: list[tuple[pathlib.Path, str]] = []

    # -- bookkeeping

    def problem(self, path: pathlib.Path, message: str) -> None:
        self.problems.append((path, message))

    def add(self, key: str, found: DiscoveredFile) -> None:
        old = self.found.get(key)
        if old is None:
            self.found[key] = found
            return
        # The same file reached twice: keep the explicit naming, then the smaller path.
        if (not found.explicit, found.path.as_posix()) < (not old.explicit, old.path.as_posix()):
            self.found[key] = found

    # -- explicit paths

    def visit(self, given: str | os.PathLike) -> None:
        path = pathlib.Path(given)
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if os.path.islink(path):
                self.problem(path, MSG_BROKEN_LINK)
            else:
                self.problem(path, MSG_MISSING)
            return
        except OSError as exc:
            self.problem(path, _message(exc, "path"))
            return
        if stat.S_ISDIR(st.st_mode):
            self.walk(path)
        elif stat.S_ISREG(st.st_mode):
            self.visit_file(path)
        else:
            self.problem(path, MSG_NOT_REGULAR)

    def visit_file(self, path: pathlib.Path) -> None:
        if not _is_candidate_name(path.name):
            self.problem(path, MSG_UNKNOWN_KIND)
            return
        try:
            kind = classify(path)
        except OSError as exc:
            self.problem(path, _message(exc, "file"))
            return
        if kind is None:
            self.problem(path, MSG_NOT_TEMPLATE)
            return
        if kind is FileKind.PYTHON and not os.access(path, os.R_OK):
            self.problem(path, f"{UNREADABLE} file: Permission denied")
            return
        self.add(os.path.realpath(path), DiscoveredFile(path, kind, True))

    # -- directory walk

    def _exclude_prefix(self, root: pathlib.Path) -> str:
        """What to put before a root-relative path when matching `exclude` patterns."""
        if self.exclude_root is None:
            return ""
        rel = os.path.relpath(os.path.abspath(root), self.exclude_root)
        if rel == "." or rel == os.curdir:
            return ""
        rel = pathlib.Path(rel).as_posix()
        if rel == ".." or rel.startswith("../"):
            return ""  # not under the exclude root: match relative to the walked root
        return rel + "/"

    def _excluded(self, prefix: str, relpath: str, name: str) -> bool:
        for pattern in self.exclude:
            if fnmatch.fnmatch(relpath, pattern) or fnmatch.fnmatch(name, pattern):
                return True
            if prefix and fnmatch.fnmatch(prefix + relpath, pattern):
                return True
        return False

    def _load_gitignore(self, dirpath: str, display: pathlib.Path) -> GitIgnore | None:
        ignore_path = os.path.join(dirpath, ".gitignore")
        try:
            with open(ignore_path, "rb") as fp:
                data = fp.read()
        except OSError as exc:
            self.problem(display / ".gitignore", _message(exc, "file"))
            return None
        gi = GitIgnore.from_text(data.decode("utf-8", errors="ignore"))
        return gi if gi.rules else None

    def walk(self, root: pathlib.Path) -> None:
        real_root = os.path.realpath(root)
        root_str = os.fspath(root)
        exclude_prefix = self._exclude_prefix(root)
        excluded_names = DEFAULT_EXCLUDED_DIRS
        excluded_patterns = DEFAULT_EXCLUDED_DIR_PATTERNS
        has_exclude = bool(self.exclude)
        gitignore = self.respect_gitignore

        # (directory path on disk, its path relative to the root ("" = root), .gitignore stack)
        stack: list[tuple[str, str, _IgnoreStack]] = [(root_str, "", ())]
        while stack:
            dirpath, reldir, ignores = stack.pop()
            display_dir = root / reldir if reldir else root
            try:
                with os.scandir(dirpath) as it:
                    entries = list(it)
            except OSError as exc:
                self.problem(display_dir, _message(exc, "directory"))
                continue

            names = {e.name for e in entries}
            dir_name = os.path.basename(dirpath) if reldir else os.path.basename(real_root)
            if reldir and _VENV_MARKER in names:
                continue  # a virtualenv, whatever its name
            if gitignore and ".gitignore" in names:
                gi = self._load_gitignore(dirpath, display_dir)
                if gi is not None:
                    ignores = ignores + ((reldir, gi),)

            for entry in entries:
                name = entry.name
                relpath = f"{reldir}/{name}" if reldir else name
                try:
                    is_dir = entry.is_dir(follow_symlinks=False)
                except OSError:
                    is_dir = False
                if is_dir:
                    if name in excluded_names or any(fnmatch.fnmatch(name, p) for p in excluded_patterns):
                        if name == CDK_OUT and not (
                            has_exclude
                            and (
                                self._excluded(exclude_prefix, relpath, name)
                                or self._excluded(exclude_prefix, relpath + "/manifest.json", "manifest.json")
                            )
                        ):
                            self.visit_assembly(entry.path, root / relpath)
                        continue
                    if has_exclude and self._excluded(exclude_prefix, relpath, name):
                        continue
                    if ignores and _is_gitignored(ignores, relpath, True):
                        continue
                    stack.append((entry.path, relpath, ignores))
                    continue

                # Files (and symlinks: a symlink to a directory is never followed).
                if not _is_candidate_name(name):
                    continue
                try:
                    is_link = entry.is_symlink()
                    is_file = entry.is_file()  # follows a symlink to a file
                except OSError:
                    is_link, is_file = False, False
                if not is_file:
                    if is_link and not os.path.exists(entry.path):
                        if not (has_exclude and self._excluded(exclude_prefix, relpath, name)) and not (
                            ignores and _is_gitignored(ignores, relpath, False)
                        ):
                            self.problem(root / relpath, MSG_BROKEN_LINK)
                    continue  # a directory symlink, FIFO, socket, device...
                if has_exclude and self._excluded(exclude_prefix, relpath, name):
                    continue
                if ignores and _is_gitignored(ignores, relpath, False):
                    continue
                self.walk_file(entry, display_dir, dir_name, relpath, real_root, is_link)

    def visit_assembly(self, folder: str, display: pathlib.Path) -> None:
        """A `cdk.out` met while walking: build output, so not walked, but its `manifest.json`
        says which stack templates it holds (even when `.gitignore` lists it, as CDK's own
        project template does: the assembly is how lintkit reads a CDK app)."""
        manifest = os.path.join(folder, "manifest.json")
        if os.path.isfile(manifest):
            self.add(os.path.realpath(manifest), DiscoveredFile(display / "manifest.json", FileKind.CDK_ASSEMBLY, False))

    def walk_file(
        self, entry: os.DirEntry, display_dir: pathlib.Path, dir_name: str, relpath: str, real_root: str, is_link: bool
    ) -> None:
        try:
            kind = _classify(entry.name, dir_name, entry.path, None)
        except OSError as exc:
            self.problem(display_dir / entry.name, _message(exc, "file"))
            return
        if kind is None:
            return
        if kind is FileKind.PYTHON and not os.access(entry.path, os.R_OK):
            self.problem(display_dir / entry.name, f"{UNREADABLE} file: Permission denied")
            return
        if is_link:
            key = os.path.realpath(entry.path)
        else:
            key = real_root + "/" + relpath if os.sep == "/" else os.path.join(real_root, *relpath.split("/"))
        self.add(key, DiscoveredFile(display_dir / entry.name, kind, False))


def discover(
    paths: Sequence[str | os.PathLike],
    *,
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    exclude_root: str | os.PathLike | None = None,
) -> Discovery:
    """Walk `paths` and return the Python files, templates and CDK assemblies found.

    `exclude` holds extra fnmatch patterns matched against each path relative to the walked
    root (posix form) and against its base name; a match prunes a directory or drops a file.
    When `exclude_root` is given (the directory of the config file the patterns come from),
    paths under it are also matched relative to it (so `exclude = ["src/gen"]` in a config at
    the project root still applies when only `src` is walked).
    Explicitly named files are always included (when they are of a kind lintkit checks).
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    root = os.path.abspath(exclude_root) if exclude_root is not None else None
    walker = _Walker(list(exclude), respect_gitignore, root)
    for given in paths:
        walker.visit(given)
    files = sorted(walker.found.values(), key=lambda f: f.path.as_posix())
    problems = sorted(set(walker.problems), key=lambda p: (p[0].as_posix(), p[1]))
    return Discovery(files=files, problems=problems)
