"""lintkit's configuration: `[tool.lintkit]` in `pyproject.toml`, or a `lintkit.toml`.

The nearest configuration file wins, searching from a start directory upwards. A
`pyproject.toml` without a `[tool.lintkit]` table does not count (the search goes on), and a
`lintkit.toml` beats a `pyproject.toml` in the same directory.

Loading checks the shape of the file (keys, types, severity names, output format). Rule codes
can only be checked once the rule registry is loaded: the CLI then calls `validate()`.
"""

from __future__ import annotations

import fnmatch
import os
import pathlib
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from lintkit.findings import Severity
from lintkit.limits import Limits, parse_size

__all__ = [
    "ALLOWED_KEYS",
    "CONFIG_FILENAMES",
    "OUTPUT_FORMATS",
    "Config",
    "ConfigError",
    "enabled_codes",
    "expand_selectors",
    "find_config",
    "ignored_for_path",
    "load_config",
    "parse_parameter_overrides",
    "validate",
]

LINTKIT_TOML = "lintkit.toml"
PYPROJECT_TOML = "pyproject.toml"
# In order of precedence within one directory.
CONFIG_FILENAMES = (LINTKIT_TOML, PYPROJECT_TOML)

OUTPUT_FORMATS = ("concise", "full", "json", "sarif", "github", "junit")

ALLOWED_KEYS = (
    "all-code",
    "exclude",
    "extend-select",
    "fail-on",
    "ignore",
    "lambda-code",
    "limits",
    "output-format",
    "parameter-overrides",
    "per-file-ignores",
    "rules",
    "select",
    "severity",
)


class ConfigError(Exception):
    """A configuration problem; the message names the file (or option) and what is wrong."""


@dataclass
class Config:
    path: pathlib.Path | None  # the file it came from (None = defaults)
    root: pathlib.Path  # its directory; per-file-ignores and exclude are relative to it
    select: list[str] | None = None  # None = all rules
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    severity: dict[str, Severity] = field(default_factory=dict)  # rule code -> severity override
    exclude: list[str] = field(default_factory=list)
    # globs of files that run in Lambda whatever the templates say (entry points of the code model)
    lambda_code: list[str] = field(default_factory=list)
    all_code: bool = False  # run the code rules on every Python file, not only on Lambda code
    output_format: str | None = None
    fail_on: Severity | None = None
    rule_options: dict[str, dict] = field(default_factory=dict)  # "rules": {"LK601": {...}}
    limits: Limits = field(default_factory=Limits)  # "limits": {"max-file-size": "5MB", ...}
    # template parameter values, as `sam deploy --parameter-overrides` takes them: name -> value
    parameter_overrides: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How error messages name where this configuration came from."""
        return _label(self.path)

    def origin(self, key: str) -> str:
        """The `origin` for `expand_selectors` of one key, e.g. "pyproject.toml [tool.lintkit] ignore"."""
        return f"{self.label} {key}"

    def relpath(self, path: str | os.PathLike) -> str:
        """`path` relative to the config root, in posix form (for per-file-ignores and exclude)."""
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        return pathlib.Path(rel).as_posix()

    def relative_parts(self, path: str | os.PathLike) -> list[str]:
        """The names from the config root (else the working directory) down to `path`; only its
        own name when it is below neither."""
        for base in (self.root, pathlib.Path.cwd()):
            relative = pathlib.Path(os.path.relpath(os.path.abspath(path), os.path.abspath(base))).as_posix()
            if relative != ".." and not relative.startswith("../"):
                return relative.split("/")
        return [pathlib.PurePath(path).name]

    def is_excluded(self, path: str | os.PathLike) -> bool:
        """Does an `exclude` pattern match `path`: the path relative to the config root, one of
        the folders on the way there, or one of their names (as discovery matches them while
        walking)?"""
        patterns = [p.strip().removeprefix("./").rstrip("/") for p in self.exclude]
        patterns = [p for p in patterns if p]
        if not patterns:
            return False
        parts = self.relative_parts(path)
        for depth, name in enumerate(parts):
            prefix = "/".join(parts[: depth + 1])
            if any(fnmatch.fnmatch(prefix, p) or fnmatch.fnmatch(name, p) for p in patterns):
                return True
        return False


# --------------------------------------------------------------------------- finding


def _display(path: pathlib.Path) -> str:
    """A path as shown in messages: relative to the working directory when below it."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    if rel == ".." or rel.startswith(".." + os.sep):
        return str(path)
    return rel


def _label(path: pathlib.Path | None) -> str:
    if path is None:
        return "default configuration"
    if path.name == PYPROJECT_TOML:
        return f"{_display(path)} [tool.lintkit]"
    return _display(path)


def _read_toml(path: pathlib.Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fp:
            return tomllib.load(fp)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{_display(path)}: invalid TOML: not UTF-8 ({exc.reason})") from None
    except FileNotFoundError:
        raise ConfigError(f"{_display(path)}: no such file") from None
    except IsADirectoryError:
        raise ConfigError(f"{_display(path)}: is a directory, not a configuration file") from None
    except OSError as exc:
        raise ConfigError(f"{_display(path)}: cannot read: {exc.strerror or exc}") from None


def _lintkit_table(path: pathlib.Path, data: dict[str, Any]) -> dict[str, Any] | None:
    """The `[tool.lintkit]` table of a parsed pyproject.toml (None when there is none)."""
    tool = data.get("tool")
    if tool is None:
        return None
    if not isinstance(tool, dict):
        raise ConfigError(f"{_display(path)}: 'tool' must be a table")
    table = tool.get("lintkit")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{_display(path)}: [tool.lintkit] must be a table, not {_type_name(table)}")
    return table


def _has_lintkit_table(path: pathlib.Path) -> bool:
    try:
        text = path.read_bytes()
    except OSError:
        return False  # an unreadable pyproject.toml cannot be ours; keep searching
    if b"lintkit" not in text:
        return False  # cheap: no need to parse a pyproject.toml that never mentions us
    # It mentions lintkit: a syntax error there is most likely in our table, so report it.
    return _lintkit_table(path, _read_toml(path)) is not None


def find_config(start: pathlib.Path) -> pathlib.Path | None:
    """The nearest `lintkit.toml`, or `pyproject.toml` with a `[tool.lintkit]` table, from `start` up."""
    start = pathlib.Path(os.path.abspath(start))
    if not os.path.isdir(start):
        start = start.parent
    for directory in (start, *start.parents):
        candidate = directory / LINTKIT_TOML
        if os.path.isfile(candidate):
            return candidate
        candidate = directory / PYPROJECT_TOML
        if os.path.isfile(candidate) and _has_lintkit_table(candidate):
            return candidate
    return None


# --------------------------------------------------------------------------- loading


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _string_list(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        got = _type_name(value) if not isinstance(value, list) else "an array with non-string items"
        raise ConfigError(f"{where} must be an array of strings, not {got}")
    return [v.strip() for v in value]


def _table(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where} must be a table, not {_type_name(value)}")
    return value


def _severity(value: Any, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a severity name (a string), not {_type_name(value)}")
    try:
        return Severity.parse(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _parse(table: Mapping[str, Any], config: Config) -> Config:
    label = config.label
    for key in table:
        if key not in ALLOWED_KEYS:
            hint = ""
            dashed = key.replace("_", "-")
            if dashed != key and dashed in ALLOWED_KEYS:
                hint = f" (did you mean '{dashed}'?)"
            raise ConfigError(
                f"{label}: unknown key '{key}'{hint}; allowed keys: {', '.join(ALLOWED_KEYS)}"
            )

    def where(key: str) -> str:
        return f"{label} {key}"

    if "select" in table:
        config.select = _string_list(table["select"], where("select"))
    if "ignore" in table:
        config.ignore = _string_list(table["ignore"], where("ignore"))
    if "extend-select" in table:
        config.extend_select = _string_list(table["extend-select"], where("extend-select"))
    if "exclude" in table:
        config.exclude = _string_list(table["exclude"], where("exclude"))
    if "lambda-code" in table:
        config.lambda_code = _string_list(table["lambda-code"], where("lambda-code"))
    if "all-code" in table:
        if not isinstance(table["all-code"], bool):
            raise ConfigError(f"{where('all-code')} must be true or false, not {_type_name(table['all-code'])}")
        config.all_code = table["all-code"]
    if "per-file-ignores" in table:
        pfi = _table(table["per-file-ignores"], where("per-file-ignores"))
        config.per_file_ignores = {
            glob: _string_list(selectors, f"{where('per-file-ignores')} '{glob}'")
            for glob, selectors in pfi.items()
        }
    if "severity" in table:
        sev = _table(table["severity"], where("severity"))
        config.severity = {
            code.strip().upper(): _severity(value, f"{where('severity')} {code}") for code, value in sev.items()
        }
    if "output-format" in table:
        fmt = table["output-format"]
        if not isinstance(fmt, str):
            raise ConfigError(f"{where('output-format')} must be a string, not {_type_name(fmt)}")
        if fmt.strip().lower() not in OUTPUT_FORMATS:
            raise ConfigError(
                f"{where('output-format')}: unknown output format '{fmt}' (expected one of: {', '.join(OUTPUT_FORMATS)})"
            )
        config.output_format = fmt.strip().lower()
    if "fail-on" in table:
        config.fail_on = _severity(table["fail-on"], where("fail-on"))
    if "parameter-overrides" in table:
        config.parameter_overrides = _parameter_overrides(table["parameter-overrides"], where("parameter-overrides"))
    if "limits" in table:
        config.limits = _limits(_table(table["limits"], where("limits")), where("limits"))
    if "rules" in table:
        rules = _table(table["rules"], where("rules"))
        options: dict[str, dict] = {}
        for code, value in rules.items():
            options[code.strip().upper()] = _table(value, f"{where('rules')} {code}")
        config.rule_options = options
    return config


def _scalar_text(value: Any) -> str | None:
    """A TOML value as a template parameter's text (CloudFormation passes parameters as text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


def parse_parameter_overrides(items: Iterable[str], where: str) -> dict[str, str]:
    """Parameter overrides as `sam deploy --parameter-overrides` takes them: `Key=Value` pairs
    (several in one string, separated by spaces; quotes group a value with spaces) or
    `ParameterKey=Key,ParameterValue=Value`. Raises `ConfigError` naming `where`."""
    import shlex

    found: dict[str, str] = {}
    for item in items:
        item = re.sub(r",\s+ParameterValue=", ",ParameterValue=", item)  # the AWS CLI's spacing
        try:
            words = shlex.split(item)
        except ValueError as error:
            raise ConfigError(f"{where}: cannot read {item!r}: {error}") from None
        for word in words:
            if word.startswith("ParameterKey="):
                key, sep, value = word[len("ParameterKey="):].partition(",ParameterValue=")
                if not sep:
                    raise ConfigError(f"{where}: {word!r} must be ParameterKey=Name,ParameterValue=Value")
            else:
                key, sep, value = word.partition("=")
                if not sep:
                    raise ConfigError(f"{where}: {word!r} must be Name=Value (or ParameterKey=Name,ParameterValue=Value)")
            key = key.strip()
            if not key:
                raise ConfigError(f"{where}: {word!r} names no parameter")
            found[key] = value
    return found


def _parameter_overrides(value: Any, where: str) -> dict[str, str]:
    """The config's `parameter-overrides`: a table (`{FnTimeout = "60"}`) or an array of
    `sam deploy` style strings (`["FnTimeout=60"]`)."""
    if isinstance(value, dict):
        found: dict[str, str] = {}
        for key, item in value.items():
            text = _scalar_text(item)
            if text is None:
                raise ConfigError(f"{where} {key} must be a string or a number, not {_type_name(item)}")
            found[str(key).strip()] = text
        return found
    if isinstance(value, list):
        return parse_parameter_overrides(_string_list(value, where), where)
    raise ConfigError(f"{where} must be a table (FnTimeout = \"60\") or an array of \"Name=Value\" strings, not {_type_name(value)}")


def _limits(table: Mapping[str, Any], where: str) -> Limits:
    values: dict[str, int] = {}
    for key, value in table.items():
        if key not in Limits.keys():
            raise ConfigError(f"{where}: unknown limit '{key}'; allowed: {', '.join(Limits.keys())}")
        try:
            if key == "max-file-size":
                values["max_file_size"] = parse_size(value)
            else:
                if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                    raise ValueError(f"must be a positive whole number, not {value!r}")
                values[key.replace("-", "_")] = value
        except ValueError as error:
            raise ConfigError(f"{where} {key}: {error}") from None
    return Limits(**values)


def load_config(path: pathlib.Path | None, *, start: pathlib.Path | None = None) -> Config:
    """Load the configuration file `path`, or the nearest one from `start` (default: the cwd).

    With no file found, the defaults are returned with the working directory as root. A
    `pyproject.toml` given explicitly but without a `[tool.lintkit]` table gives the defaults
    with that file's directory as root.
    """
    if path is None:
        path = find_config(start if start is not None else pathlib.Path.cwd())
        if path is None:
            return Config(path=None, root=pathlib.Path.cwd())
    path = pathlib.Path(os.path.abspath(path))
    data = _read_toml(path)
    config = Config(path=path, root=path.parent)
    if path.name == PYPROJECT_TOML:
        table = _lintkit_table(path, data)
        if table is None:
            return config
    else:
        table = data
    return _parse(table, config)


# --------------------------------------------------------------------------- rule codes


def _known(known_codes: Collection[str]) -> frozenset[str]:
    return frozenset(code.upper() for code in known_codes)


def expand_selectors(selectors: Iterable[str], known_codes: Collection[str], *, origin: str) -> set[str]:
    """Expand rule codes and prefixes ("LK501", "LK5", "LK" = all, "ALL" = all) to known codes.

    Case-insensitive; returns upper-case codes. A selector matching no known code raises
    `ConfigError("{origin}: unknown rule code or prefix 'LK999'")`.
    """
    if isinstance(selectors, str):
        selectors = [selectors]
    known = _known(known_codes)
    result: set[str] = set()
    for selector in selectors:
        text = selector.strip()
        upper = text.upper()
        if upper == "ALL":
            result |= known
            continue
        matched = {code for code in known if code.startswith(upper)} if upper else set()
        if not matched:
            raise ConfigError(f"{origin}: unknown rule code or prefix '{text}'")
        result |= matched
    return result


def enabled_codes(
    config: Config,
    known_codes: Collection[str],
    *,
    cli_select: Iterable[str] | None = None,
    cli_ignore: Iterable[str] | None = None,
    cli_extend_select: Iterable[str] | None = None,
) -> set[str]:
    """The rule codes to run.

    Start from `--select` (which replaces the config's `select`), else the config's `select`,
    else every rule; add `extend-select` (config and `--extend-select`); then remove `ignore`
    (config and `--ignore`). Ignoring always wins over selecting.
    """
    known = _known(known_codes)
    if cli_select is not None:
        enabled = expand_selectors(cli_select, known, origin="--select")
    elif config.select is not None:
        enabled = expand_selectors(config.select, known, origin=config.origin("select"))
    else:
        enabled = set(known)
    enabled |= expand_selectors(config.extend_select, known, origin=config.origin("extend-select"))
    if cli_extend_select is not None:
        enabled |= expand_selectors(cli_extend_select, known, origin="--extend-select")
    enabled -= expand_selectors(config.ignore, known, origin=config.origin("ignore"))
    if cli_ignore is not None:
        enabled -= expand_selectors(cli_ignore, known, origin="--ignore")
    return enabled


def _normalize_glob(glob: str) -> str:
    glob = glob.strip().replace("\\", "/")
    while glob.startswith("./"):
        glob = glob[2:]
    return glob


def glob_matches(glob: str, relpath: str) -> bool:
    """Does a config glob (per-file-ignores, lambda-code) match a path relative to the config root?"""
    glob = _normalize_glob(glob)
    if not glob:
        return False
    if glob.endswith("/"):  # a directory: everything below it
        glob = glob.rstrip("/") + "/**"
    if fnmatch.fnmatchcase(relpath, glob):
        return True
    if "/" not in glob:  # a bare name matches the file name at any depth
        return fnmatch.fnmatchcase(relpath.rsplit("/", 1)[-1], glob)
    if glob.startswith("**/"):  # "**/x" also matches "x" at the root
        return fnmatch.fnmatchcase(relpath, glob[3:])
    return False


def ignored_for_path(config: Config, relpath: str, known_codes: Collection[str]) -> set[str]:
    """Codes ignored for `relpath` (relative to `config.root`, posix) by `per-file-ignores`.

    A glob matches with fnmatch on the whole relative path (`*` also crosses `/`); a glob
    without `/` also matches the file name at any depth, `**/x` also matches `x` at the root,
    and a glob ending with `/` matches everything below that directory.
    """
    relpath = _normalize_glob(relpath)
    ignored: set[str] = set()
    for glob, selectors in config.per_file_ignores.items():
        if glob_matches(glob, relpath):
            ignored |= expand_selectors(selectors, known_codes, origin=f"{config.origin('per-file-ignores')} '{glob}'")
    return ignored


def validate(config: Config, known_codes: Collection[str]) -> None:
    """Check every rule code and prefix in `config` against the registry; raise `ConfigError`.

    Called by the CLI once the rule registry is loaded.
    """
    known = _known(known_codes)
    if config.select is not None:
        expand_selectors(config.select, known, origin=config.origin("select"))
    expand_selectors(config.ignore, known, origin=config.origin("ignore"))
    expand_selectors(config.extend_select, known, origin=config.origin("extend-select"))
    for glob, selectors in config.per_file_ignores.items():
        expand_selectors(selectors, known, origin=f"{config.origin('per-file-ignores')} '{glob}'")
    for key, mapping in (("severity", config.severity), ("rules", config.rule_options)):
        for code in mapping:
            if code in known:
                continue
            if any(k.startswith(code) for k in known) or code == "ALL":
                raise ConfigError(
                    f"{config.origin(key)}: '{code}' is a prefix; {key} keys must be full rule codes"
                )
            raise ConfigError(f"{config.origin(key)}: unknown rule code '{code}'")
