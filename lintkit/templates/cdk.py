"""Reading a CDK cloud assembly (`cdk.out`): which stack templates it holds, the construct path
of each resource, and where in the user's app each construct was created.

The assembly is data CDK wrote at synth time (LAMBDA-FACTS §8.2): `manifest.json` lists the
artifacts; a stack artifact names its `templateFile` and carries its metadata inline or in an
`additionalMetadataFile`, keyed by construct path, with `aws:cdk:logicalId` and
`aws:cdk:creationStack` entries. Nested assemblies (stages) are `cdk:cloud-assembly` artifacts
with a `directoryName`. Nothing here runs the app."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_NESTING = 8
STACK = "aws:cloudformation:stack"
NESTED_ASSEMBLY = "cdk:cloud-assembly"

# "new DemoStack (/app/lib/stack.js:28:22)" or "at /app/app.ts:12:5"
_FRAME = re.compile(r"\(?(?P<file>[^\s()]+?):(?P<line>\d+):(?P<column>\d+)\)?\s*$")


class AssemblyError(Exception):
    """A manifest lintkit cannot read; becomes an LK001 finding on it."""


@dataclass
class StackTemplate:
    template_file: Path
    construct_paths: dict[str, str] = field(default_factory=dict)  # logical id -> construct path
    creation_sites: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # logical id -> site
    # the logical ids whose creation site is a file of the project around the assembly
    sites_here: set[str] = field(default_factory=set)


@dataclass
class Assembly:
    manifest: Path
    stacks: list[StackTemplate] = field(default_factory=list)
    manifests: list[Path] = field(default_factory=list)  # this one and every nested one read
    # manifest -> the stack templates it names that are not there (a stale or partly copied
    # assembly), as the manifest writes them
    missing: dict[Path, list[str]] = field(default_factory=dict)


def find_assembly(directory: Path) -> Path | None:
    """The manifest of a cloud assembly that is `directory` itself or its `cdk.out`."""
    for candidate in (directory / "manifest.json", directory / "cdk.out" / "manifest.json"):
        folder = candidate.parent
        if os.path.isfile(candidate) and (folder.name == "cdk.out" or os.path.isfile(folder / "cdk.out")):
            return candidate
    return None


def read_assembly(manifest: Path) -> Assembly:
    assembly = Assembly(manifest)
    _read(manifest, assembly, depth=0)
    return assembly


def _load_json(path: Path) -> Any:
    try:
        if path.stat().st_size > MAX_MANIFEST_BYTES:
            raise AssemblyError(f"{path.name} is larger than {MAX_MANIFEST_BYTES // (1024 * 1024)} MiB")
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise AssemblyError(f"cannot read {path.name}: {error}") from None
    except json.JSONDecodeError as error:
        raise AssemblyError(f"{path.name} is not valid JSON: {error.msg} (line {error.lineno})") from None


def _read(manifest: Path, assembly: Assembly, depth: int) -> None:
    if depth > MAX_NESTING or manifest.resolve() in {m.resolve() for m in assembly.manifests}:
        return
    assembly.manifests.append(manifest)
    data = _load_json(manifest)
    artifacts = data.get("artifacts") if isinstance(data, dict) else None
    if not isinstance(artifacts, dict):
        raise AssemblyError("manifest.json has no 'artifacts' mapping")
    root = manifest.parent.resolve()  # its parent is the app's folder, even for `lintkit check .` in cdk.out
    for artifact in artifacts.values():
        if not isinstance(artifact, dict):
            continue
        properties = artifact.get("properties") if isinstance(artifact.get("properties"), dict) else {}
        if artifact.get("type") == STACK and isinstance(properties.get("templateFile"), str):
            template_file = _inside(root, properties["templateFile"])
            if template_file is None:
                continue
            if not template_file.is_file():
                assembly.missing.setdefault(manifest, []).append(properties["templateFile"])
                continue
            metadata = artifact.get("metadata")
            extra = artifact.get("additionalMetadataFile")
            extra_file = _inside(root, extra) if isinstance(extra, str) else None
            if extra_file is not None and os.path.isfile(extra_file):
                try:
                    metadata = _load_json(extra_file)
                except AssemblyError:
                    metadata = None  # construct paths are a nicety: the template is still read
            assembly.stacks.append(_stack(template_file, metadata if isinstance(metadata, dict) else {}, root))
        elif artifact.get("type") == NESTED_ASSEMBLY and isinstance(properties.get("directoryName"), str):
            nested = _inside(root, properties["directoryName"])
            if nested is not None and os.path.isfile(nested / "manifest.json"):
                _read(nested / "manifest.json", assembly, depth + 1)


def _inside(root: Path, relative: str) -> Path | None:
    """`relative` under `root`, refusing paths that climb out of the assembly."""
    candidate = (root / relative).resolve()
    try:
        candidate.relative_to(root.resolve())
    except ValueError:
        return None
    return candidate


def _stack(template_file: Path, metadata: dict, root: Path) -> StackTemplate:
    stack = StackTemplate(template_file)
    for path, entries in metadata.items():
        if not isinstance(path, str) or not isinstance(entries, list):
            continue
        logical_id = None
        frames = None
        for entry in entries:
            if not isinstance(entry, dict):
                continue
            if entry.get("type") == "aws:cdk:logicalId" and isinstance(entry.get("data"), str):
                logical_id = entry["data"]
            elif entry.get("type") == "aws:cdk:creationStack" and isinstance(entry.get("data"), list):
                frames = entry["data"]
        if logical_id is None:
            continue
        stack.construct_paths[logical_id] = path.lstrip("/")
        site = creation_site(frames or [], root)
        if site is not None:
            stack.creation_sites[logical_id] = site
            if _inside(root.parent, site[0]) is not None:
                stack.sites_here.add(logical_id)
    return stack


def creation_site(frames: list, assembly_root: Path) -> tuple[str, int, int] | None:
    """The first frame of the user's own code: not CDK, not node internals, not node_modules."""
    for frame in frames:
        if not isinstance(frame, str) or frame.startswith("...") or "node_modules" in frame or "node:" in frame:
            continue
        match = _FRAME.search(frame)
        if match is None:
            continue
        return _local_file(match.group("file"), assembly_root), int(match.group("line")), int(match.group("column"))
    return None


def _local_file(recorded: str, assembly_root: Path) -> str:
    """The recorded path is where the app was synthesized, often another machine (CI). Prefer the
    same file in the project around the assembly: the longest tail of the recorded path that
    exists beside `cdk.out` (`/ci/work/app/lib/stack.js` -> `lib/stack.js`)."""
    project = assembly_root.parent
    parts = Path(recorded).parts
    for start in range(1, len(parts)):
        candidate = project.joinpath(*parts[start:])
        if os.path.isfile(candidate):
            return str(candidate)
    return recorded
