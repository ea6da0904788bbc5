"""The result cache in `.lintkit_cache/`: an unchanged repository re-checks without parsing.

Results are stored under a key that covers everything they depend on: lintkit's own code (the
installed files, not just the version number, so an edited rule never serves stale results),
the settings that change what rules report (enabled rules, rule options, limits), the file's
path and content, and for a Python file the templates that link it. Joined results (project
rules) are keyed over every template and every handler module they link: a change on either
side recomputes them. Severity overrides, ignores and suppressions are applied after the cache,
so changing them needs no invalidation. A template's loaded document (its values and positions,
as JSON) is kept by its text too: a warm run links handlers without loading YAML again.

The cache is an optimisation only: an unreadable or corrupt entry is a miss, a cache folder
that cannot be written is silently not written."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict
from pathlib import Path
from typing import Iterable

from lintkit import __version__
from lintkit.findings import Applicability, Edit, Finding, Fix, Location, RelatedLocation, Severity

CACHE_DIR_NAME = ".lintkit_cache"
FORMAT = "1"
DISABLE_ENV = "LINTKIT_NO_CACHE"
DIR_ENV = "LINTKIT_CACHE_DIR"


def _code_fingerprint() -> str:
    """Size and modification time of every module of lintkit and its rules."""
    import lintkit
    import lintkit.rules

    digest = hashlib.sha256(__version__.encode())
    for package in (lintkit, lintkit.rules):
        for folder in package.__path__:
            for root, _, files in sorted(os.walk(folder)):
                for name in sorted(files):
                    if name.endswith(".py"):
                        stat = os.stat(os.path.join(root, name))
                        digest.update(f"{root}/{name}:{stat.st_size}:{stat.st_mtime_ns}".encode())
    return digest.hexdigest()


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class Cache:
    def __init__(self, folder: Path, settings: dict) -> None:
        self.folder = folder / CACHE_DIR_NAME / FORMAT
        self._folder = str(self.folder)
        self.root = folder / CACHE_DIR_NAME
        self._salt = hashlib.sha256(
            json.dumps({"code": _code_fingerprint(), "settings": settings}, sort_keys=True, default=str).encode()
        ).hexdigest()
        self.hits = 0
        self.misses = 0

    def key(self, *parts: str) -> str:
        digest = hashlib.sha256(self._salt.encode())
        for part in parts:
            digest.update(b"\0")
            digest.update(part.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def _read(self, key: str) -> object:
        # plain strings and `open`: a warm run reads thousands of entries
        with open(os.path.join(self._folder, key[:2], key + ".json"), encoding="utf-8") as entry:
            return json.loads(entry.read())

    def get(self, key: str) -> list[Finding] | None:
        try:
            findings = [_finding(item) for item in self._read(key)]  # type: ignore[attr-defined]
        except (OSError, ValueError, KeyError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return findings

    def put(self, key: str, findings: Iterable[Finding]) -> None:
        self.put_data(key, [_record(f) for f in findings])

    def get_data(self, key: str) -> object | None:
        """Any JSON stored under `key` (not counted in `hits`/`misses`, which are about results)."""
        try:
            return self._read(key)
        except (OSError, ValueError):
            return None

    def put_data(self, key: str, data: object) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.root / ".gitignore"
            if not ignore.exists():
                ignore.write_text("# lintkit's result cache: safe to delete\n*\n")
            handle, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(data, out)
            os.replace(temporary, path)
        except OSError:
            pass  # a read-only checkout still gets correct (uncached) results


def _record(finding: Finding) -> dict:
    data = asdict(finding)
    data["severity"] = finding.severity.label
    if finding.fix is not None:
        data["fix"]["applicability"] = finding.fix.applicability.value
    return data


def _location(data: dict) -> Location:
    return Location(data["path"], data["line"], data["column"], data.get("end_line"), data.get("end_column"))


def _finding(data: dict) -> Finding:
    return Finding(
        code=data["code"],
        name=data["name"],
        severity=Severity.parse(data["severity"]),
        message=data["message"],
        location=_location(data["location"]),
        related=tuple(RelatedLocation(_location(r["location"]), r["message"]) for r in data.get("related", ())),
        construct_path=data.get("construct_path"),
        fix=_fix(data["fix"]) if data.get("fix") else None,
    )


def _fix(data: dict) -> Fix:
    return Fix(
        title=data["title"],
        applicability=Applicability(data["applicability"]),
        edits=tuple(Edit(**edit) for edit in data.get("edits", ())),
        codemod=data.get("codemod"),
        arguments=data.get("arguments", "{}"),
    )


def cache_for(root: Path, settings: dict, *, enabled: bool = True) -> Cache | None:
    """The cache under `root` (or `$LINTKIT_CACHE_DIR`), or None when caching is off."""
    if not enabled or os.environ.get(DISABLE_ENV):
        return None
    folder = Path(os.environ[DIR_ENV]) if os.environ.get(DIR_ENV) else root
    return Cache(folder, settings)


def clear(root: Path) -> bool:
    """Delete the cache under `root`; True if there was one."""
    import shutil

    folder = (Path(os.environ[DIR_ENV]) if os.environ.get(DIR_ENV) else root) / CACHE_DIR_NAME
    if not folder.is_dir():
        return False
    shutil.rmtree(folder, ignore_errors=True)
    return True
