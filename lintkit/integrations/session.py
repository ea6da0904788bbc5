"""One check as the command line, the flake8 plugin and the cfn-lint adapter run it: settings
from the nearest configuration, the paths planned (context templates for given files), the
engine run (on editor buffers where there are some), and the findings to report."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

from lintkit.config import Config
from lintkit.engine import RunResult, display_path
from lintkit.findings import Finding
from lintkit.integrations.buffers import Buffer
from lintkit.integrations.context import Plan, plan, reported, resolved
from lintkit.rule import Registry


@dataclass
class Settings:
    config: Config
    registry: Registry
    enabled: set[str]
    use_cache: bool = True

    def cache(self):
        """The result cache for these settings (None with --no-cache or LINTKIT_NO_CACHE)."""
        from dataclasses import asdict

        from lintkit.cache import cache_for

        digest = {
            "enabled": sorted(self.enabled),
            "options": self.config.rule_options,
            "limits": asdict(self.config.limits),
            # a parameter's value changes what the templates say
            "parameters": sorted(self.config.parameter_overrides.items()),
        }
        return cache_for(self.config.root, digest, enabled=self.use_cache)


def load_settings(
    *,
    start: Path,
    config_file: Path | None = None,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
    extend_select: list[str] | None = None,
) -> Settings:
    """The configuration nearest to `start` (or `config_file`), checked against the registry,
    and the rule codes it enables. Raises `lintkit.config.ConfigError`."""
    from lintkit.config import enabled_codes, load_config, validate
    from lintkit.rule import registry

    rules = registry()
    config = load_config(config_file, start=start)
    validate(config, rules.codes)
    enabled = enabled_codes(config, rules.codes, cli_select=select, cli_ignore=ignore, cli_extend_select=extend_select)
    return Settings(config, rules, enabled)


def settings_for(path: Path) -> Settings:
    """The settings that apply to one file, from the configuration nearest to it."""
    folder = Path(os.path.abspath(path)).parent
    return load_settings(start=folder if folder.exists() else Path.cwd())


@dataclass
class Checked:
    result: RunResult  # what the engine found (context files: only their joins with a given file)
    plan: Plan
    texts: dict[str, str] = field(default_factory=dict)  # buffer texts by the path findings show
    # editor buffers (stdin, flake8): the files whose own findings are reported, and only those
    buffers: frozenset[Path] = frozenset()

    def reported(self, findings: Sequence[Finding] | None = None) -> list[Finding]:
        """The findings to report: all of them when only folders were checked; those about the
        given files otherwise (see `lintkit.integrations.context`); for an editor buffer, only
        those located in it (a related location may point elsewhere, but a finding in the
        template next door is not the buffer's: the editor would show it on the wrong file)."""
        findings = list(self.result.findings if findings is None else findings)
        if self.buffers:
            return [f for f in findings if resolved(f.path) in self.buffers]
        if self.plan.scope is None:
            return findings
        from lintkit.rule import registry

        return reported(findings, self.plan.scope, self.result.project, registry())


def run(
    paths: Sequence[Path],
    settings: Settings,
    *,
    buffers: Mapping[Path, Buffer] | None = None,
    force_exclude: bool = False,
) -> Checked:
    from lintkit.engine import check
    from lintkit.integrations import buffers as overlay

    buffers = dict(buffers or {})
    kinds = {resolved(path): overlay.kind_of(path, text) for path, text in buffers.items()}
    the_plan = plan(list(paths), settings.config, force_exclude=force_exclude, kinds=kinds)
    if not the_plan.targets:
        return Checked(RunResult(), the_plan)
    result = check(
        the_plan.targets,
        registry=settings.registry,
        config=settings.config,
        enabled=settings.enabled,
        sources=buffers,
        cache=settings.cache(),
        focus=the_plan.scope.holds if the_plan.scope is not None else None,
    )
    texts = {}
    for path, buffer in buffers.items():
        if isinstance(buffer, str):
            texts[display_path(path)] = buffer
        else:
            texts[display_path(path)] = buffer.decode("utf-8-sig", errors="replace")
    return Checked(result, the_plan, texts, frozenset(resolved(path) for path in buffers))


def check_buffer(path: Path, text: Buffer, settings: Settings | None = None) -> list[Finding]:
    """The findings located in `path` when it holds `text`, with its context (for editors)."""
    settings = settings or settings_for(path)
    return run([path], settings, buffers={path: text}, force_exclude=True).reported()
