from __future__ import annotations

import pathlib
import textwrap

import pytest

from lintkit.config import (
    ALLOWED_KEYS,
    OUTPUT_FORMATS,
    Config,
    ConfigError,
    enabled_codes,
    expand_selectors,
    find_config,
    ignored_for_path,
    load_config,
    validate,
)
from lintkit.findings import Severity

KNOWN = ["LK101", "LK102", "LK201", "LK501", "LK502", "LK510", "LK601"]


def write(path: pathlib.Path, text: str) -> pathlib.Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def load_lintkit_toml(tmp_path: pathlib.Path, text: str) -> Config:
    return load_config(write(tmp_path / "lintkit.toml", text))


def load_pyproject(tmp_path: pathlib.Path, text: str) -> Config:
    return load_config(write(tmp_path / "pyproject.toml", text))


@pytest.fixture(autouse=True)
def _cwd(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# --------------------------------------------------------------------------- finding


def test_find_nearest_config_upwards(tmp_path: pathlib.Path) -> None:
    top = write(tmp_path / "pyproject.toml", "[tool.lintkit]\nselect = ['LK1']\n")
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    assert find_config(deep) == top
    nearer = write(tmp_path / "a" / "lintkit.toml", "select = ['LK5']\n")
    assert find_config(deep) == nearer
    assert find_config(tmp_path / "a") == nearer
    assert find_config(tmp_path) == top
    # A file as the start: its directory is searched.
    f = write(deep / "app.py", "")
    assert find_config(f) == nearer


def test_pyproject_without_table_is_skipped(tmp_path: pathlib.Path) -> None:
    top = write(tmp_path / "pyproject.toml", "[tool.lintkit]\nignore = ['LK101']\n")
    write(tmp_path / "pkg" / "pyproject.toml", "[project]\nname = 'pkg'\n[tool.ruff]\nline-length = 100\n")
    write(tmp_path / "pkg2" / "pyproject.toml", "[project]\nname = 'lintkit-plugin'\n")  # mentions lintkit
    assert find_config(tmp_path / "pkg") == top
    assert find_config(tmp_path / "pkg2") == top


def test_lintkit_toml_beats_pyproject_in_same_dir(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.lintkit]\nselect = ['LK1']\n")
    lk = write(tmp_path / "lintkit.toml", "select = ['LK5']\n")
    assert find_config(tmp_path) == lk
    config = load_config(None, start=tmp_path)
    assert config.path == lk
    assert config.select == ["LK5"]


def test_find_none(tmp_path: pathlib.Path) -> None:
    (tmp_path / "x").mkdir()
    # Nothing in tmp_path; nothing should exist above a pytest tmp dir either.
    found = find_config(tmp_path / "x")
    assert found is None or not str(found).startswith(str(tmp_path))


def test_find_reports_broken_pyproject_that_mentions_lintkit(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.lintkit]\nselect = [\n")
    with pytest.raises(ConfigError, match=r"pyproject\.toml: invalid TOML"):
        find_config(tmp_path)


def test_find_skips_broken_pyproject_that_does_not_mention_lintkit(tmp_path: pathlib.Path) -> None:
    top = write(tmp_path / "lintkit.toml", "")
    write(tmp_path / "sub" / "pyproject.toml", "[project\n")
    assert find_config(tmp_path / "sub") == top


# --------------------------------------------------------------------------- loading


def test_defaults_when_nothing_found(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import lintkit.config as config_mod

    monkeypatch.setattr(config_mod, "find_config", lambda start: None)
    config = load_config(None)
    assert config.path is None
    assert config.root == pathlib.Path.cwd()
    assert config.select is None
    assert config.ignore == []
    assert config.extend_select == []
    assert config.per_file_ignores == {}
    assert config.severity == {}
    assert config.exclude == []
    assert config.output_format is None
    assert config.fail_on is None
    assert config.rule_options == {}


def test_load_search_from_start(tmp_path: pathlib.Path) -> None:
    cfg = write(tmp_path / "proj" / "pyproject.toml", "[tool.lintkit]\nfail-on = 'warning'\n")
    (tmp_path / "proj" / "src").mkdir()
    config = load_config(None, start=tmp_path / "proj" / "src")
    assert config.path == cfg
    assert config.root == tmp_path / "proj"
    assert config.fail_on is Severity.WARNING


def test_load_search_from_cwd(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = write(tmp_path / "proj" / "lintkit.toml", "output-format = 'json'\n")
    (tmp_path / "proj" / "src").mkdir()
    monkeypatch.chdir(tmp_path / "proj" / "src")
    config = load_config(None)
    assert config.path == cfg
    assert config.output_format == "json"


def test_every_key_parsed_from_pyproject(tmp_path: pathlib.Path) -> None:
    config = load_pyproject(
        tmp_path,
        """
        [project]
        name = "demo"

        [tool.lintkit]
        select = ["LK1", "lk501"]
        ignore = ["LK102"]
        extend-select = ["LK6"]
        exclude = ["tests/fixtures", "*.gen.py"]
        output-format = "SARIF"
        fail-on = "Warning"

        [tool.lintkit.per-file-ignores]
        "tests/**" = ["LK5"]
        "scripts/*.py" = ["LK101", "LK201"]

        [tool.lintkit.severity]
        LK501 = "error"
        lk601 = "info"

        [tool.lintkit.rules.LK601]
        ratio = 0.9
        names = ["a", "b"]
        """,
    )
    assert config.path == tmp_path / "pyproject.toml"
    assert config.root == tmp_path
    assert config.select == ["LK1", "lk501"]
    assert config.ignore == ["LK102"]
    assert config.extend_select == ["LK6"]
    assert config.exclude == ["tests/fixtures", "*.gen.py"]
    assert config.output_format == "sarif"
    assert config.fail_on is Severity.WARNING
    assert config.per_file_ignores == {"tests/**": ["LK5"], "scripts/*.py": ["LK101", "LK201"]}
    assert config.severity == {"LK501": Severity.ERROR, "LK601": Severity.INFO}
    assert config.rule_options == {"LK601": {"ratio": 0.9, "names": ["a", "b"]}}
    validate(config, KNOWN)


def test_every_key_parsed_from_lintkit_toml(tmp_path: pathlib.Path) -> None:
    config = load_lintkit_toml(
        tmp_path,
        """
        select = ["ALL"]
        ignore = []
        extend-select = []
        exclude = ["vendor"]
        output-format = "github"
        fail-on = "error"
        per-file-ignores = { "handlers/legacy.py" = ["LK2"] }
        severity = { LK101 = "warning" }
        rules = { LK510 = { max = 3 } }
        """,
    )
    assert config.path == tmp_path / "lintkit.toml"
    assert config.root == tmp_path
    assert config.select == ["ALL"]
    assert config.ignore == []
    assert config.exclude == ["vendor"]
    assert config.output_format == "github"
    assert config.fail_on is Severity.ERROR
    assert config.per_file_ignores == {"handlers/legacy.py": ["LK2"]}
    assert config.severity == {"LK101": Severity.WARNING}
    assert config.rule_options == {"LK510": {"max": 3}}


def test_explicit_pyproject_without_table_gives_defaults(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "sub" / "pyproject.toml", "[project]\nname = 'x'\n")
    config = load_config(path)
    assert config.path == path
    assert config.root == tmp_path / "sub"
    assert config.select is None and config.ignore == []


def test_relative_explicit_path_is_made_absolute(tmp_path: pathlib.Path) -> None:
    write(tmp_path / "conf" / "lintkit.toml", "select = ['LK1']\n")
    config = load_config(pathlib.Path("conf/lintkit.toml"))
    assert config.path == tmp_path / "conf" / "lintkit.toml"
    assert config.root == tmp_path / "conf"
    assert config.relpath(tmp_path / "conf" / "src" / "app.py") == "src/app.py"
    assert config.relpath("conf/app.py") == "app.py"


@pytest.mark.parametrize("name", ["select", "ignore", "extend-select", "exclude"])
def test_all_output_formats_accepted(tmp_path: pathlib.Path, name: str) -> None:
    for fmt in OUTPUT_FORMATS:
        config = load_lintkit_toml(tmp_path, f"output-format = '{fmt}'\n{name} = []\n")
        assert config.output_format == fmt


# --------------------------------------------------------------------------- errors


def error_of(tmp_path: pathlib.Path, text: str, filename: str = "lintkit.toml") -> str:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path / filename, text))
    return str(info.value)


def test_missing_explicit_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: no such file"):
        load_config(tmp_path / "nope.toml")


def test_toml_syntax_error(tmp_path: pathlib.Path) -> None:
    msg = error_of(tmp_path, "select = ['LK1']\nignore = = 1\n")
    assert msg.startswith("lintkit.toml: invalid TOML: ")
    assert "line 2" in msg  # tomllib's message, with its position
    msg = error_of(tmp_path, "[tool.lintkit\n", "pyproject.toml")
    assert msg.startswith("pyproject.toml: invalid TOML: ")


def test_unknown_key_lists_allowed(tmp_path: pathlib.Path) -> None:
    msg = error_of(tmp_path, "selectt = ['LK1']\n")
    assert msg == f"lintkit.toml: unknown key 'selectt'; allowed keys: {', '.join(ALLOWED_KEYS)}"
    msg = error_of(tmp_path, "[tool.lintkit]\nextend_select = ['LK1']\n", "pyproject.toml")
    assert msg.startswith(
        "pyproject.toml [tool.lintkit]: unknown key 'extend_select' (did you mean 'extend-select'?); allowed keys: "
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("select = 'LK1'", "lintkit.toml select must be an array of strings, not a string"),
        ("ignore = [1, 2]", "lintkit.toml ignore must be an array of strings, not an array with non-string items"),
        ("extend-select = true", "lintkit.toml extend-select must be an array of strings, not a boolean"),
        ("exclude = {a = 1}", "lintkit.toml exclude must be an array of strings, not a table"),
        ("per-file-ignores = ['x']", "lintkit.toml per-file-ignores must be a table, not an array"),
        (
            "per-file-ignores = { 'tests/*' = 'LK1' }",
            "lintkit.toml per-file-ignores 'tests/*' must be an array of strings, not a string",
        ),
        ("severity = 'error'", "lintkit.toml severity must be a table, not a string"),
        (
            "severity = { LK101 = 'fatal' }",
            "lintkit.toml severity LK101: unknown severity 'fatal' (expected one of: info, warning, error)",
        ),
        (
            "severity = { LK101 = 3 }",
            "lintkit.toml severity LK101 must be a severity name (a string), not an integer",
        ),
        (
            "fail-on = 'critical'",
            "lintkit.toml fail-on: unknown severity 'critical' (expected one of: info, warning, error)",
        ),
        ("fail-on = 1.5", "lintkit.toml fail-on must be a severity name (a string), not a float"),
        (
            "output-format = 'xml'",
            "lintkit.toml output-format: unknown output format 'xml' "
            "(expected one of: concise, full, json, sarif, github, junit)",
        ),
        ("output-format = ['json']", "lintkit.toml output-format must be a string, not an array"),
        ("rules = ['LK601']", "lintkit.toml rules must be a table, not an array"),
        ("rules = { LK601 = 0.9 }", "lintkit.toml rules LK601 must be a table, not a float"),
    ],
)
def test_type_and_value_errors(tmp_path: pathlib.Path, text: str, expected: str) -> None:
    assert error_of(tmp_path, text + "\n") == expected


def test_errors_in_pyproject_name_the_table(tmp_path: pathlib.Path) -> None:
    msg = error_of(tmp_path, "[tool.lintkit]\nfail-on = 'nope'\n", "pyproject.toml")
    assert msg.startswith("pyproject.toml [tool.lintkit] fail-on: unknown severity 'nope'")
    msg = error_of(tmp_path, "[tool]\nlintkit = 3\n", "pyproject.toml")
    assert msg == "pyproject.toml: [tool.lintkit] must be a table, not an integer"


def test_error_names_the_file_outside_cwd(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "elsewhere" / "lintkit.toml", "select = 1\n")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path} select must be an array of strings, not an integer"


# --------------------------------------------------------------------------- validate


def test_validate_rule_codes(tmp_path: pathlib.Path) -> None:
    cases = [
        ("select = ['LK999']", "lintkit.toml select: unknown rule code or prefix 'LK999'"),
        ("ignore = ['LK1', 'nope']", "lintkit.toml ignore: unknown rule code or prefix 'nope'"),
        ("extend-select = ['LK7']", "lintkit.toml extend-select: unknown rule code or prefix 'LK7'"),
        (
            "per-file-ignores = { 'tests/*' = ['LK3'] }",
            "lintkit.toml per-file-ignores 'tests/*': unknown rule code or prefix 'LK3'",
        ),
        ("severity = { LK999 = 'info' }", "lintkit.toml severity: unknown rule code 'LK999'"),
        (
            "severity = { LK5 = 'info' }",
            "lintkit.toml severity: 'LK5' is a prefix; severity keys must be full rule codes",
        ),
        ("rules = { LK998 = { a = 1 } }", "lintkit.toml rules: unknown rule code 'LK998'"),
    ]
    for text, expected in cases:
        config = load_lintkit_toml(tmp_path, text + "\n")
        with pytest.raises(ConfigError) as info:
            validate(config, KNOWN)
        assert str(info.value) == expected


def test_validate_pyproject_origin(tmp_path: pathlib.Path) -> None:
    config = load_pyproject(tmp_path, "[tool.lintkit]\nignore = ['LK999']\n")
    with pytest.raises(ConfigError) as info:
        validate(config, KNOWN)
    assert str(info.value) == "pyproject.toml [tool.lintkit] ignore: unknown rule code or prefix 'LK999'"


def test_validate_ok_and_defaults() -> None:
    validate(Config(path=None, root=pathlib.Path.cwd()), KNOWN)


# --------------------------------------------------------------------------- selectors


def test_expand_selectors() -> None:
    assert expand_selectors(["LK501"], KNOWN, origin="x") == {"LK501"}
    assert expand_selectors(["LK5"], KNOWN, origin="x") == {"LK501", "LK502", "LK510"}
    assert expand_selectors(["LK50"], KNOWN, origin="x") == {"LK501", "LK502"}
    assert expand_selectors(["lk1", " LK601 "], KNOWN, origin="x") == {"LK101", "LK102", "LK601"}
    assert expand_selectors(["LK"], KNOWN, origin="x") == set(KNOWN)
    assert expand_selectors(["all"], KNOWN, origin="x") == set(KNOWN)
    assert expand_selectors([], KNOWN, origin="x") == set()
    assert expand_selectors(["LK501"], ["lk501"], origin="x") == {"LK501"}


def test_expand_selectors_unknown() -> None:
    with pytest.raises(ConfigError) as info:
        expand_selectors(["LK5", "LK999"], KNOWN, origin="--select")
    assert str(info.value) == "--select: unknown rule code or prefix 'LK999'"
    with pytest.raises(ConfigError, match=r"^--ignore: unknown rule code or prefix 'LK5011'$"):
        expand_selectors(["LK5011"], KNOWN, origin="--ignore")
    with pytest.raises(ConfigError, match=r"unknown rule code or prefix ''"):
        expand_selectors([""], KNOWN, origin="--ignore")
    # A string is one selector, not a sequence of characters.
    assert expand_selectors("LK6", KNOWN, origin="x") == {"LK601"}


def cfg(**kwargs) -> Config:
    return Config(path=pathlib.Path("/proj/lintkit.toml"), root=pathlib.Path("/proj"), **kwargs)


def test_enabled_codes_defaults_to_all() -> None:
    assert enabled_codes(cfg(), KNOWN) == set(KNOWN)


def test_enabled_codes_config_select_ignore_extend() -> None:
    assert enabled_codes(cfg(select=["LK5"]), KNOWN) == {"LK501", "LK502", "LK510"}
    assert enabled_codes(cfg(select=["LK5"], ignore=["LK510"]), KNOWN) == {"LK501", "LK502"}
    assert enabled_codes(cfg(select=["LK5"], extend_select=["LK6"]), KNOWN) == {"LK501", "LK502", "LK510", "LK601"}
    assert enabled_codes(cfg(ignore=["LK1", "LK2", "LK5"]), KNOWN) == {"LK601"}
    # Ignore wins over select, even when select is more specific.
    assert enabled_codes(cfg(select=["LK501"], ignore=["LK5"]), KNOWN) == set()
    # ...and over extend-select.
    assert enabled_codes(cfg(extend_select=["LK601"], ignore=["LK6"]), KNOWN) == set(KNOWN) - {"LK601"}
    assert enabled_codes(cfg(select=[]), KNOWN) == set()


def test_enabled_codes_cli_overrides() -> None:
    config = cfg(select=["LK5"], ignore=["LK510"], extend_select=["LK601"])
    # --select replaces the config's select; config ignore and extend-select still apply.
    assert enabled_codes(config, KNOWN, cli_select=["LK1"]) == {"LK101", "LK102", "LK601"}
    # --ignore adds to the config's ignore.
    assert enabled_codes(config, KNOWN, cli_ignore=["LK501"]) == {"LK502", "LK601"}
    # --extend-select adds to the config's extend-select.
    assert enabled_codes(config, KNOWN, cli_extend_select=["LK2"]) == {"LK501", "LK502", "LK201", "LK601"}
    assert enabled_codes(
        config, KNOWN, cli_select=["ALL"], cli_ignore=["lk6", "LK1"], cli_extend_select=["LK102"]
    ) == {"LK201", "LK501", "LK502"}
    # An empty --select selects nothing (not "all").
    assert enabled_codes(config, KNOWN, cli_select=[]) == {"LK601"}


def test_enabled_codes_validates_every_selector() -> None:
    with pytest.raises(ConfigError, match=r"^--select: unknown rule code or prefix 'LK9'$"):
        enabled_codes(cfg(), KNOWN, cli_select=["LK9"])
    with pytest.raises(ConfigError, match=r"^--ignore: unknown rule code or prefix 'X'$"):
        enabled_codes(cfg(), KNOWN, cli_ignore=["X"])
    with pytest.raises(ConfigError, match=r"^--extend-select: unknown rule code or prefix 'LK8'$"):
        enabled_codes(cfg(), KNOWN, cli_extend_select=["LK8"])
    config = Config(path=pathlib.Path("/proj/pyproject.toml"), root=pathlib.Path("/proj"), ignore=["LK77"])
    with pytest.raises(ConfigError) as info:
        enabled_codes(config, KNOWN)
    assert str(info.value) == f"{pathlib.Path('/proj/pyproject.toml')} [tool.lintkit] ignore: unknown rule code or prefix 'LK77'"
    # The config's select is still validated (when --select replaces it, it is not used).
    with pytest.raises(ConfigError, match=r"select: unknown rule code or prefix 'LK4'"):
        enabled_codes(cfg(select=["LK4"]), KNOWN)


# --------------------------------------------------------------------------- per-file-ignores


def test_ignored_for_path() -> None:
    config = cfg(
        per_file_ignores={
            "tests/*": ["LK5"],
            "**/legacy/*.py": ["LK101"],
            "conftest.py": ["LK201"],
            "scripts/": ["LK601"],
            "./handlers/old.py": ["lk102"],
        }
    )
    assert ignored_for_path(config, "tests/test_a.py", KNOWN) == {"LK501", "LK502", "LK510"}
    assert ignored_for_path(config, "tests/unit/test_a.py", KNOWN) == {"LK501", "LK502", "LK510"}  # '*' crosses '/'
    assert ignored_for_path(config, "src/tests/test_a.py", KNOWN) == set()
    assert ignored_for_path(config, "legacy/x.py", KNOWN) == {"LK101"}  # "**/" also at the root
    assert ignored_for_path(config, "src/a/legacy/x.py", KNOWN) == {"LK101"}
    assert ignored_for_path(config, "src/legacy.py", KNOWN) == set()
    assert ignored_for_path(config, "conftest.py", KNOWN) == {"LK201"}
    assert ignored_for_path(config, "tests/conftest.py", KNOWN) == {"LK201", "LK501", "LK502", "LK510"}
    assert ignored_for_path(config, "pkg/sub/conftest.py", KNOWN) == {"LK201"}  # bare name at any depth
    assert ignored_for_path(config, "scripts/deploy.py", KNOWN) == {"LK601"}
    assert ignored_for_path(config, "scripts/a/b/deploy.py", KNOWN) == {"LK601"}
    assert ignored_for_path(config, "scripts.py", KNOWN) == set()
    assert ignored_for_path(config, "handlers/old.py", KNOWN) == {"LK102"}
    assert ignored_for_path(config, "./handlers/old.py", KNOWN) == {"LK102"}
    assert ignored_for_path(config, "src/app.py", KNOWN) == set()


def test_ignored_for_path_unknown_code() -> None:
    config = cfg(per_file_ignores={"*.py": ["LK404"]})
    with pytest.raises(ConfigError, match=r"per-file-ignores '\*\.py': unknown rule code or prefix 'LK404'"):
        ignored_for_path(config, "a.py", KNOWN)
    # A glob that does not match is not expanded.
    assert ignored_for_path(config, "a.yaml", KNOWN) == set()


def test_ignored_for_path_with_loaded_config(tmp_path: pathlib.Path) -> None:
    config = load_pyproject(
        tmp_path,
        """
        [tool.lintkit.per-file-ignores]
        "src/handlers/*.py" = ["LK5"]
        """,
    )
    rel = config.relpath(tmp_path / "src" / "handlers" / "app.py")
    assert rel == "src/handlers/app.py"
    assert ignored_for_path(config, rel, KNOWN) == {"LK501", "LK502", "LK510"}
