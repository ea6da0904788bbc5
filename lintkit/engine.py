"""Runs a check: discover, load, link, run the enabled rules, apply suppressions and config."""

from __future__ import annotations

import json
import os
import sys
import traceback
from functools import partial
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, Sequence, Union

from lintkit.cache import Cache, text_digest
from lintkit.config import Config, ignored_for_path
from lintkit.discovery import MSG_UNKNOWN_KIND, UNREADABLE, DiscoveredFile, Discovery, FileKind, classify, discover
from lintkit.findings import Applicability, Edit, Finding, Fix, Location, RelatedLocation, Severity
from lintkit.limits import LimitExceeded, too_large
from lintkit.paths import RealPaths
from lintkit.project import Project, link_handlers, prefer_source_files
from lintkit.rule import CodeRule, ProjectRule, Registry, Rule, TemplateRule
from lintkit.runtime import paused_gc
from lintkit.suppressions import ALL, Suppressions, removal, scan
from lintkit.templates.cdk import AssemblyError, StackTemplate, find_assembly, read_assembly
from lintkit.templates.loader import (
    LoadedDocument,
    TemplateSyntaxError,
    decode_template,
    document_from_json,
    document_to_json,
    load_text,
    templating_markup,
)
from lintkit.templates.model import Template, TemplateStructureError, template_from_text
from lintkit.templates.serverless import serverless_template

if TYPE_CHECKING:  # pragma: no cover
    from lintkit.python.module import PythonModule
    from lintkit.python.newer import NewerSyntax

# Rules the engine reports itself (their classes in `lintkit.rules` carry the metadata and docs).
PARSE_ERROR = "LK001"
UNKNOWN_SUPPRESSION = "LK003"
UNUSED_SUPPRESSION = "LK005"
LOADER = ""  # `InternalError.code` of a crash while reading a file rather than in a rule


@dataclass
class InternalError:
    """A rule (or the loader of a file) that crashed: reported, exit 2, and the run goes on."""

    code: str  # the rule's code; "" when reading the file crashed (`LOADER`)
    path: str
    message: str
    details: str = ""


@dataclass
class RunResult:
    findings: list[Finding] = field(default_factory=list)
    internal_errors: list[InternalError] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (path, message) notices
    files_checked: int = 0
    project: Project | None = None
    # set by `lintkit check --fix`: the findings its fixes removed, and whether unsafe fixes
    # apply (what `[*]` and the summary's "fixable" count)
    fixed: list[Finding] = field(default_factory=list)
    unsafe_fixes: bool = False


def _template_digest(template: Template) -> str:
    """A template's path and text, and those of the files its model read (an OpenAPI
    definition): results that depend on the template change when either does."""
    parts = [template.path + ":" + text_digest(template.text)]
    parts.extend(f"{path}:{text_digest(text)}" for path, text in sorted(template.included_texts.items()))
    return "|".join(parts)


def display_path(path: Path, cwd: Path | None = None) -> str:
    """The path as a user reads it: relative to the working directory when inside it."""
    if not path.is_absolute() and ".." not in path.parts:
        return path.as_posix()  # already relative to it (as discovery gives them)
    absolute = path if path.is_absolute() else (cwd or Path.cwd()) / path
    try:
        relative = os.path.relpath(absolute, cwd or Path.cwd())
    except ValueError:  # another drive on Windows
        return absolute.as_posix()
    if relative.startswith(".."):
        return Path(os.path.normpath(absolute)).as_posix()
    return Path(relative).as_posix()


# The text of a file given in memory instead of on disk (an editor buffer, stdin): decoded
# text, or bytes decoded the way the file would be.
Source = Union[str, bytes]


class Run:
    def __init__(
        self,
        registry: Registry,
        config: Config,
        enabled: set[str],
        sources: Mapping[Path, Source] | None = None,
        cache: Cache | None = None,
        focus: Callable[[str], bool] | None = None,
    ) -> None:
        self.registry = registry
        self.focus = focus
        self.config = config
        self.enabled = enabled
        self.real_path = RealPaths()  # `Path.resolve()`, each folder asked once per run
        self.sources = {self.real_path(os.path.abspath(p)): text for p, text in (sources or {}).items()}
        self.cache = cache
        self.known_codes = frozenset(registry.codes)
        self.result = RunResult()
        self._texts: dict[str, str] = {}  # display path -> text, for suppression comments
        self._templates_by_path: dict[str, Template] = {}
        self._unreadable_templates = 0  # read but not parsed: they count as checked
        self._hcl_version: str | None = None  # python-hcl2's, for the cache keys of parsed .tf files
        self._unreadable: set[Path] = set()  # files and folders already reported as unreadable
        self._syntax_checked = 0  # Python files only syntax-checked (the prefilter)
        # cache keys of the modules parsed in this run, whose results are stored once known
        self._module_keys: dict[Path, str] = {}
        # modules whose results came from the cache, parsed only if a join needs them
        self._unparsed: dict[Path, tuple[str, str]] = {}  # resolved path -> (shown, text)
        self._linking: dict[Path, set[str]] | None = None  # module -> digests of the templates linking it
        self._template_digests: dict[int, str] | None = None
        self._discovered: set[Path] = set()  # resolved paths of the files discovery found
        self._python_files: dict[str, Path] = {}  # shown -> resolved path of the Python files that parse
        self._summaries: dict[Path, object] = {}  # resolved -> ModuleSummary (None: does not parse)

    # -- reporting helpers -------------------------------------------------------------
    def _make(self, code: str, location: Location, message: str) -> Finding:
        rule = self.registry.get(code)
        assert rule is not None, f"engine rule {code} is not registered"
        return Finding(code, rule.name, rule.severity, message, location)

    def _engine_finding(self, code: str, location: Location, message: str) -> None:
        self.result.findings.append(self._make(code, location, message))

    def _crash(self, rule: Rule | type[Rule] | None, path: str, error: BaseException) -> None:
        """A rule, or the loader of a file (`rule` None), raised: an internal error."""
        details = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        self.result.internal_errors.append(
            InternalError(rule.code if rule is not None else LOADER, path, f"{type(error).__name__}: {error}", details)
        )

    def _rules(self, kind: type[Rule]) -> list[type[Rule]]:
        return [r for r in self.registry if issubclass(r, kind) and r.code in self.enabled]

    def _options(self, rule: type[Rule]) -> dict:
        return self.config.rule_options.get(rule.code, {})

    # -- the run -----------------------------------------------------------------------
    def check(self, paths: Sequence[str | os.PathLike]) -> RunResult:
        with paused_gc():  # everything built here lives until the run ends (see `paused_gc`)
            return self._check(paths)

    def _check(self, paths: Sequence[str | os.PathLike]) -> RunResult:
        discovery = self._discover(paths)
        self._discovered = {self.real_path(f.path) for f in discovery.files}
        for path, message in discovery.problems:
            if message.startswith(UNREADABLE):  # a file or folder the walk could not read
                self._unreadable.add(self.real_path(path))
                self._engine_finding(PARSE_ERROR, Location(display_path(Path(path)), 1, 1), message)
            else:
                self.result.problems.append((display_path(Path(path)), message))
        stacks = self._read_assemblies(paths, [f.path for f in discovery.files if f.kind is FileKind.CDK_ASSEMBLY])
        real = self.real_path
        in_assemblies = {real(stack.template_file) for stack in stacks}
        plain = [f.path for f in discovery.files if f.kind is FileKind.TEMPLATE and real(f.path) not in in_assemblies]
        templates = self._load_templates(plain) + self._load_stack_templates(stacks)
        serverless = [f.path for f in discovery.files if f.kind is FileKind.SERVERLESS]
        templates += self._load_templates(serverless, build=serverless_template)
        templates += self._load_terraform([f for f in discovery.files if f.kind is FileKind.TERRAFORM])
        for template in templates:  # every format: a `!Ref` of a parameter reads the run's value
            template.parameter_overrides = dict(self.config.parameter_overrides)
        folders = [real(p) for p in paths if Path(p).is_dir()]
        roots = folders + [real(p).parent for p in paths if not Path(p).is_dir()]
        links = link_handlers(templates, roots, real)
        python_files = [f.path for f in discovery.files if f.kind is FileKind.PYTHON]
        prefer_source_files(links, python_files, real)
        linked_files = [link.module_file for link in links.values() if link.module_file is not None]
        project = Project(templates=templates, links=links)
        self._load_modules(project, python_files, linked_files, folders)
        self.result.project = project
        self.result.files_checked = (
            len(templates)
            + self._unreadable_templates
            + len(project.modules)
            + len(project.unparsable)
            + self._syntax_checked
            + len(self._unparsed)
        )

        self._run_template_rules(templates)
        self._run_project_rules(project)
        self._run_code_rules(project)
        self.result.findings = self._filter(self.result.findings)
        self.result.findings.sort(key=Finding.sort_key)
        return self.result

    def _discover(self, paths: Sequence[str | os.PathLike]) -> Discovery:
        """Walk the paths; a path given in `sources` is taken as given, even if not on disk."""
        on_disk = [p for p in paths if self._source(Path(p)) is None]
        found = discover(on_disk, exclude=self.config.exclude, exclude_root=self.config.root) if on_disk else Discovery()
        if self.sources:
            self._add_given_sources(paths, found)
        found.files.sort(key=lambda f: f.path.as_posix())
        return found

    def _add_given_sources(self, paths: Sequence[str | os.PathLike], found: Discovery) -> None:
        """Files given in `sources` that discovery did not find (not on disk, or excluded)."""
        known = {self.real_path(f.path) for f in found.files}
        for path in (Path(p) for p in paths):
            source = self._source(path)
            if source is None or self.real_path(path) in known:
                continue
            kind = classify(path, head=source.encode("utf-8") if isinstance(source, str) else source)
            if kind is None:
                found.problems.append((path, MSG_UNKNOWN_KIND))
                continue
            found.files.append(DiscoveredFile(path, kind, True))
            known.add(self.real_path(path))

    def _source(self, path: Path) -> Source | None:
        return self.sources.get(self.real_path(os.path.abspath(path))) if self.sources else None

    def _read(self, file: Path) -> Source:
        """The file's bytes (or the text given for it), within the file size limit."""
        limit = self.config.limits.max_file_size
        source = self._source(file)
        if source is not None:
            size = len(source.encode("utf-8")) if isinstance(source, str) else len(source)
            if size > limit:
                raise too_large(size, limit)
            return source
        with open(file, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise too_large(size, limit)
            return handle.read()

    def _read_assemblies(self, paths: Sequence[str | os.PathLike], manifests: list[Path]) -> list[StackTemplate]:
        """CDK assemblies named directly, found while walking, or in a folder's `cdk.out`."""
        for path in paths:
            folder = Path(path)
            if os.path.isdir(folder):
                manifest = find_assembly(folder)
                if manifest is not None:
                    manifests.append(manifest)
        stacks: list[StackTemplate] = []
        seen: set[Path] = set()
        for manifest in manifests:
            if self.real_path(manifest) in seen:
                continue
            seen.add(self.real_path(manifest))  # named and found while walking: read once
            try:
                assembly = read_assembly(manifest)
            except AssemblyError as error:
                self._engine_finding(PARSE_ERROR, Location(display_path(manifest), 1, 1), f"CDK assembly not readable: {error}")
                continue
            seen.update(self.real_path(m) for m in assembly.manifests)
            stacks.extend(assembly.stacks)
            for stale, names in assembly.missing.items():
                self._engine_finding(PARSE_ERROR, Location(display_path(stale), 1, 1), (
                    f"CDK assembly names stack template{'s' if len(names) > 1 else ''} that do{'es' if len(names) == 1 else ''} "
                    f"not exist: {', '.join(names)}; synthesize the app again (cdk synth)"
                ))
        unique: dict[Path, StackTemplate] = {}
        for stack in stacks:
            unique.setdefault(self.real_path(stack.template_file), stack)
        return list(unique.values())

    def _load_stack_templates(self, stacks: list[StackTemplate]) -> list[Template]:
        templates = self._load_templates([stack.template_file for stack in stacks])
        by_file = {self.real_path(stack.template_file): stack for stack in stacks}
        for template in templates:
            stack = by_file.get(template.abs_path)
            if stack is None:
                continue
            template.construct_paths = stack.construct_paths
            template.sites_here = stack.sites_here
            template.creation_sites = {
                logical_id: (display_path(Path(file)) if logical_id in stack.sites_here else file, line, column)
                for logical_id, (file, line, column) in stack.creation_sites.items()
            }
        return templates

    def _load_templates(self, files: list[Path], build: Callable[..., Template] | None = None) -> list[Template]:
        """Templates, or the formats translated into one (`build`: `serverless_template`; by
        default `template_from_text`, looked up when called)."""
        build = build or template_from_text
        templates: list[Template] = []
        for file in files:
            shown = display_path(file)
            self._unreadable_templates += 1
            text = ""
            try:
                source = self._read(file)
                text = source if isinstance(source, str) else decode_template(source)
                template = build(
                    text, path=shown, abs_path=self.real_path(file), limits=self.config.limits, load=self._load_document
                )
            except (TemplateSyntaxError, TemplateStructureError) as error:
                markup = templating_markup(text)
                if markup is not None:
                    # `{{ cookiecutter.name }}:` is an "unhashable key" to YAML: not the user's bug
                    self.result.problems.append((shown, (
                        f"line {markup.line} holds template markup ({{{{ ... }}}} or {{% ... %}}, as Jinja or cookiecutter "
                        f"write it): the file is a template to render first; check the rendered file"
                    )))
                elif isinstance(error, TemplateSyntaxError):
                    self._engine_finding(PARSE_ERROR, Location(shown, error.line, error.column), f"template does not parse: {error.message}")
                else:
                    self._engine_finding(PARSE_ERROR, Location(shown, error.mark.line, error.mark.column), f"not a template lintkit can read: {error.message}")
                continue
            except LimitExceeded as error:
                self._engine_finding(PARSE_ERROR, Location(shown, error.line, error.column), error.message)
                continue
            except OSError as error:
                self._cannot_read(file, shown, error)
                continue
            except RecursionError:
                self._engine_finding(PARSE_ERROR, Location(shown, 1, 1), "template is nested too deeply to read")
                continue
            except Exception as error:  # noqa: BLE001  a bug in the loader: reported, the run goes on
                self._crash(None, shown, error)
                continue
            self._unreadable_templates -= 1
            templates.append(template)
            self._texts[shown] = template.text
            self._templates_by_path[shown] = template
        return templates

    def _load_terraform(self, files: list[DiscoveredFile]) -> list[Template]:
        """One template per Terraform root: the `.tf` / `.tf.json` files of a folder (a file
        named alone brings its folder's other files, which hold its variables and locals)."""
        from lintkit.templates.terraform import TerraformFile, called_modules, load_root, parse_hcl, root_files

        roots: dict[Path, list[TerraformFile]] = {}
        for folder, members in root_files(files, self.real_path).items():
            roots[folder] = []
            for file in members:
                shown = display_path(file)
                try:
                    source = self._read(file)
                    text = source if isinstance(source, str) else decode_template(source)
                except (LimitExceeded, TemplateSyntaxError) as error:
                    self._engine_finding(PARSE_ERROR, Location(shown, error.line, error.column), error.message)
                    continue
                except OSError as error:
                    self._engine_finding(PARSE_ERROR, Location(shown, 1, 1), f"cannot read file: {error.strerror or error}")
                    continue
                roots[folder].append(TerraformFile(shown, self.real_path(file), text))
        children = called_modules({folder: [f.text for f in read] for folder, read in roots.items()})
        templates: list[Template] = []
        for folder, read in roots.items():
            template, errors = load_root(
                read, max_alias_expansion=self.config.limits.max_alias_expansion, child=folder in children,
                parse=parse_hcl if self.cache is None else self._parse_hcl,
            )
            for error in errors:
                self._engine_finding(PARSE_ERROR, Location(error.path, error.line, error.column), error.message)
            if template is None:
                self._unreadable_templates += 1
                continue
            templates.append(template)
            for path in template.paths:
                self._texts[path] = next(f.text for f in read if f.path == path)
                self._templates_by_path[path] = template
            self._note_repeated(template)
        return templates

    def _note_repeated(self, template: Template) -> None:
        """One note per file for its blocks with `count` / `for_each`: each is checked as one
        resource, and what differs between its instances (`count.index`, `each.*`) is unknown."""
        by_file: dict[str, list[str]] = {}
        for address, meta, mark in template.repeated:
            where = template.location(mark)
            by_file.setdefault(where.path, []).append(f"{address} (line {where.line}, {meta})")
        for path, blocks in by_file.items():
            many = len(blocks) > 1
            self.result.problems.append((path, (
                f"{', '.join(blocks)} {'use' if many else 'uses'} count/for_each: lintkit checks "
                f"{'each' if many else 'it'} as one resource, with the settings its instances share "
                f"(values that depend on count.index or each.* are unknown)"
            )))

    def _parse_hcl(self, text: str) -> object:
        """`parse_hcl`, through the cache: python-hcl2's reading of a `.tf` text is plain JSON
        (dicts, lists, strings, numbers), kept by the text and the parser's version, so a warm
        run parses no HCL (the parser reads about 120 KB/s). A text that does not parse is not
        kept: it raises again, and gives its LK001 again."""
        from lintkit.templates.terraform import hcl_parser_version, parse_hcl

        assert self.cache is not None
        if self._hcl_version is None:
            self._hcl_version = hcl_parser_version()
        key = self.cache.key("terraform-hcl", self._hcl_version, text_digest(text))
        data = self.cache.get_data(key)
        if isinstance(data, dict):
            return data
        data = parse_hcl(text)
        try:
            kept = json.dumps(data, allow_nan=False)
        except (TypeError, ValueError):
            return data
        if json.loads(kept) == data:  # tuples or non-string keys would come back changed
            self.cache.put_data(key, data)
        return data

    def _load_document(self, text: str, **options) -> LoadedDocument:
        """`load_text`, through the cache: a template's loaded document is kept by its text (not
        for a text with YAML anchors: aliases share nodes, which JSON does not)."""
        if self.cache is None or "&" in text:
            return load_text(text, **options)
        key = self.cache.key("template-document", str(options.get("json_hint")), text_digest(text))
        data = self.cache.get_data(key)
        document = document_from_json(data) if data is not None else None
        if document is None:
            document = load_text(text, **options)
            data = document_to_json(document)
            if data is not None:
                self.cache.put_data(key, data)
        return document

    def _load_modules(self, project: Project, files: list[Path], linked: list[Path], folders: list[Path]) -> None:
        """Read and parse the Python files, build the Lambda code model from what each imports,
        and keep the trees the code rules and joins need.

        Three steps: (1) every file is read and summarised (imports, handler-shaped functions;
        the summary is cached by the file's text, so a warm run parses nothing); (2) the model
        says which files are Lambda code; (3) each file's code-rule results come from the
        cache, or its tree is kept for the rules when it is Lambda code (or a template links
        it) and holds a word some enabled rule looks for (the prefilter)."""
        from lintkit.python.lambda_code import ModuleSummary, build_lambda_code, summarize
        from lintkit.python.module import NewerPythonSyntax, PythonSyntaxError, decode_source, parse_python
        from lintkit.python.newer import NewerSyntax

        code_rules = self._rules(CodeRule)
        real = self.real_path
        linked_files = {real(file) for file in linked}

        def wanted_by_rules(text: str) -> bool:
            """The prefilter: does the text hold a word some enabled code rule looks for?"""
            return any(
                not rule.TRIGGERS or any(token in text for token in rule.TRIGGERS)  # type: ignore[attr-defined]
                for rule in code_rules
                if not rule.NEEDS_TEMPLATE  # type: ignore[attr-defined]
            )

        def parse(resolved: Path, shown: str, text: str) -> PythonModule:
            return parse_python(text, path=shown, abs_path=resolved, max_depth=self.config.limits.max_expression_depth)  # type: ignore[return-value]

        # (1) read and summarise every file; the summaries are cached in one entry, by text
        index_key = self.cache.key("module-summaries") if self.cache is not None else None
        stored = self.cache.get_data(index_key) if index_key is not None else None  # type: ignore[union-attr]
        index: dict[str, object] | None = (stored if isinstance(stored, dict) else {}) if index_key is not None else None
        added = False
        used: set[str] = set()
        read: dict[Path, tuple[str, str]] = {}  # resolved -> (shown, text), for the files that parse
        trees: dict[Path, PythonModule] = {}
        summaries: dict[Path, ModuleSummary | None] = {}
        for file in [*files, *linked]:
            resolved = real(file)
            if resolved in summaries:
                continue
            shown = display_path(file)
            try:
                source = self._read(file)
                text = (source if isinstance(source, str) else decode_source(source)).removeprefix("\ufeff")
            except PythonSyntaxError as error:
                self._unparsable(project, resolved, self._make(PARSE_ERROR, Location(shown, error.line, error.column), "Python file does not parse: " + error.message))
                summaries[resolved] = None
                continue
            except LimitExceeded as error:
                self._unparsable(project, resolved, self._make(PARSE_ERROR, Location(shown, error.line, error.column), error.message))
                summaries[resolved] = None
                continue
            except OSError as error:
                project.unparsable.add(resolved)
                self._cannot_read(file, shown, error, project)
                summaries[resolved] = None
                continue
            except Exception as error:  # noqa: BLE001  a bug in the loader: reported, the run goes on
                project.unparsable.add(resolved)
                self._crash(None, shown, error)
                summaries[resolved] = None
                continue
            self._texts[shown] = text
            key = text_digest(text) if index is not None else None
            data = index.get(key) if index is not None else None  # type: ignore[arg-type]
            if key is not None:
                used.add(key)
            if isinstance(data, dict) and "newer" in data:
                major, minor, feature, line = data["newer"]
                self._newer_syntax(project, resolved, shown, NewerSyntax((major, minor), feature, line))
                summaries[resolved] = None
                continue
            if isinstance(data, dict) and "error" in data:
                error_data = data["error"]
                self._unparsable(project, resolved, self._make(PARSE_ERROR, Location(shown, error_data[0], error_data[1]), error_data[2]))
                summaries[resolved] = None
                continue
            summary = ModuleSummary.from_json(data) if data is not None else None
            if summary is None:
                try:
                    module = parse(resolved, shown, text)
                except NewerPythonSyntax as error:
                    newer = error.newer
                    if index is not None:
                        index[key] = {"newer": [*newer.version, newer.feature, newer.line]}  # type: ignore[index]
                        added = True
                    self._newer_syntax(project, resolved, shown, newer)
                    summaries[resolved] = None
                    continue
                except (LimitExceeded, PythonSyntaxError) as error:
                    message = error.message if isinstance(error, LimitExceeded) else "Python file does not parse: " + error.message
                    self._unparsable(project, resolved, self._make(PARSE_ERROR, Location(shown, error.line, error.column), message))
                    if index is not None:
                        index[key] = {"error": [error.line, error.column, message]}  # type: ignore[index]
                        added = True
                    summaries[resolved] = None
                    continue
                except Exception as error:  # noqa: BLE001  a bug in the parser: reported, the run goes on
                    project.unparsable.add(resolved)
                    self._crash(None, shown, error)
                    summaries[resolved] = None
                    continue
                summary = summarize(module.tree)
                if index is not None:
                    index[key] = summary.to_json()  # type: ignore[index]
                    added = True
                if resolved in linked_files or wanted_by_rules(text):
                    trees[resolved] = module
            summaries[resolved] = summary
            read[resolved] = (shown, text)
            self._python_files[shown] = resolved

        self._summaries = summaries  # type: ignore[assignment]
        if index is not None and _summaries_changed(index, used, added):
            self.cache.put_data(index_key, index)  # type: ignore[union-attr, arg-type]

        # (2) the Lambda code model
        tops = self._tops(summaries, folders)
        project.lambda_code = build_lambda_code(
            summaries,
            project.entry_points(),
            tops,
            lambda_code_globs=self.config.lambda_code,
            relpath=self.config.relpath,
            all_code=self.config.all_code,
            load=self._reach_loader(set(tops.values())) if self.focus is not None else None,
        )

        # (3) results from the cache, or the trees the rules need
        for resolved, (shown, text) in read.items():
            checked = project.lambda_code.checks(resolved)
            key = self._module_key(project, resolved, shown, text)
            cached = self.cache.get(key) if self.cache is not None and key is not None else None
            if cached is not None:
                self.result.findings.extend(cached)
                self._unparsed[resolved] = (shown, text)
                continue
            if resolved not in linked_files and not (checked and wanted_by_rules(text)):
                self._syntax_checked += 1  # parses, and no rule reads it
                if self.cache is not None and key is not None:
                    self.cache.put(key, [])
                continue
            module = trees.pop(resolved, None)
            if module is None:  # summarised from the cache
                try:
                    module = parse(resolved, shown, text)
                except (LimitExceeded, PythonSyntaxError):
                    continue  # cannot happen: it parsed when it was summarised
            project.modules[resolved] = module
            if key is not None:
                self._module_keys[resolved] = key

    def _reach_loader(self, tops: set[Path]):
        """For a run of some files only: the modules that imports lead to but the run did not
        read (`tests/...` changed, the handler and the helper between them unchanged) are read
        from disk, summarised and used to carry the reach on. Only files inside the folders
        the run's files are read below (their work trees), and not excluded, are read; they
        are never analysed or reported."""
        from lintkit.integrations.context import is_excluded
        from lintkit.python.lambda_code import summarize
        from lintkit.python.module import PythonSyntaxError, decode_source, parse_python

        roots = tuple(str(top) + os.sep for top in tops)

        def load(candidate: str):
            # the real path must stay inside too: a link in the tree must not lead lintkit out
            if not candidate.startswith(roots) or not os.path.isfile(candidate) or not os.path.realpath(candidate).startswith(roots):
                return None
            path = Path(candidate)
            if is_excluded(path, self.config):
                return None
            top = next((t for t in tops if candidate.startswith(str(t) + os.sep)), None)
            try:
                source = self._read(path)
                text = source if isinstance(source, str) else decode_source(source)
                module = parse_python(text.removeprefix("\ufeff"), path=display_path(path), abs_path=path, max_depth=self.config.limits.max_expression_depth)
            except (OSError, LimitExceeded, PythonSyntaxError):
                return path, None, top
            return path, summarize(module.tree), top  # type: ignore[union-attr]

        return load

    def _cannot_read(self, file: Path, shown: str, error: OSError, project: Project | None = None) -> None:
        """LK001 for a file that cannot be read, once (the walk may have reported it already).
        A handler module names the `Handler` of each function that runs it as a related
        location (so the finding is reported when only the template was named)."""
        resolved = self.real_path(file)
        message = f"{UNREADABLE} file: {error.strerror or error}"
        related = tuple(
            RelatedLocation(function.location("Handler"), f"the Handler of {function.logical_id} points to it")
            for function, link in (project.links.items() if project is not None else ())
            if link.module_file is not None and self.real_path(link.module_file) == resolved
        )
        if resolved in self._unreadable:
            if not related:
                return
            # reported by the walk: give that finding the handlers too
            for index, finding in enumerate(self.result.findings):
                if finding.code == PARSE_ERROR and finding.message == message and self.real_path(Path(finding.path)) == resolved:
                    self.result.findings[index] = replace(finding, related=finding.related + related)
            return
        self._unreadable.add(resolved)
        self.result.findings.append(replace(self._make(PARSE_ERROR, Location(shown, 1, 1), message), related=related))

    def _unparsable(self, project: Project, resolved: Path, finding: Finding) -> None:
        project.unparsable.add(resolved)
        self.result.findings.append(finding)

    def _tops(self, files: Iterable[Path], folders: list[Path]) -> dict[Path, Path]:
        """For each file, the folder its role by location is read below: the outermost checked
        folder (or the configuration file's folder) that holds it; for a file given on its own
        (pre-commit names `tests/helpers.py`: still a test), the git work tree that holds it."""
        from lintkit.project import repository_root

        walked: dict[Path, Path | None] = {}
        tops: dict[Path, Path] = {}
        candidates = {str(folder) for folder in folders}
        if self.config.path is not None:
            candidates.add(str(self.real_path(self.config.root)))
        by_folder: dict[str, Path | None] = {}
        for file in files:
            folder = os.path.dirname(str(file))
            if folder not in by_folder:
                outermost = None
                current = folder
                while True:  # up to the file system's root: the last match is the outermost
                    if current in candidates:
                        outermost = current
                    parent = os.path.dirname(current)
                    if parent == current:
                        break
                    current = parent
                if outermost is None:
                    repository = repository_root(Path(folder), walked)
                    outermost = str(self.real_path(repository)) if repository is not None else None
                by_folder[folder] = Path(outermost) if outermost is not None else None
            top = by_folder[folder]
            if top is not None:
                tops[file] = top
        return tops

    def _newer_syntax(self, project: Project, resolved: Path, shown: str, newer: "NewerSyntax") -> None:
        """A module in syntax newer than the Python running lintkit: its code cannot be read
        here, but its handler exists (no LK002) and the rules that need no code still run for
        its functions. A note, or LK001 for each function whose runtime (written literally) is
        older than the syntax (its import fails there with `Runtime.UserCodeSyntaxError`)."""
        project.unparsable.add(resolved)
        host = ".".join(map(str, sys.version_info[:2]))
        what = f"line {newer.line} uses {newer.feature}, syntax of Python {newer.python}"
        functions = [link.function for link in project.links.values() if link.module_file == resolved]
        findings: list[Finding] = []
        runtimes: list[str] = []
        for function in functions:
            runtime, version = function.runtime, function.python_version
            if version is None:
                continue
            if version < newer.version:
                findings.append(self._make(
                    PARSE_ERROR,
                    Location(shown, newer.line, 1),
                    f"Python file does not parse on {runtime}, the runtime of {function.logical_id} "
                    f"({function.template.path}): {what}; set Runtime to python{newer.python} or newer, "
                    f"or write it without that syntax",
                ))
            elif f"{function.logical_id} runs {runtime}" not in runtimes:
                runtimes.append(f"{function.logical_id} runs {runtime}")
        if findings:
            self.result.findings.extend(findings)
            return
        ran = f" ({', '.join(runtimes)})" if runtimes else ""
        self.result.problems.append((shown, (
            f"{what}{ran}, newer than the Python {host} running lintkit: the file is not a syntax error, "
            f"but its code was not analysed; run lintkit with Python {newer.python} or newer to check it"
        )))

    def _module_key(self, project: Project, resolved: Path, shown: str, text: str) -> str | None:
        """A module's code-rule results depend on its text, its place in the Lambda code model
        (role and roots), and the templates of the functions that run it: those that link it,
        or whose handlers import it."""
        if self.cache is None:
            return None
        if self._template_digests is None:
            self._template_digests = {}
        digests = self._template_digests

        def digest(template: Template) -> str:
            if id(template) not in digests:
                digests[id(template)] = _template_digest(template)
            return digests[id(template)]

        if self._linking is None:
            self._linking = {}
            for link in project.links.values():
                if link.module_file is not None:
                    self._linking.setdefault(link.module_file, set()).add(digest(link.function.template))
        templates = set(self._linking.get(resolved, ()))
        model = project.lambda_code
        info = model.info(resolved) if model is not None else None
        scope = ""
        if info is not None:
            scope = f"{info.role.name}:{','.join(sorted(info.roots))}:{model.all_code}"  # type: ignore[union-attr]
            templates.update(digest(function.template) for function in info.functions)
        return self.cache.key("module", shown, text_digest(text), scope, *sorted(templates))

    def _parse_cached(self, project: Project) -> None:
        """Parse the handler modules whose results came from the cache: a join needs them."""
        from lintkit.python.module import PythonSyntaxError, parse_python

        needed = {link.module_file for link in project.links.values()} & set(self._unparsed)
        for resolved in sorted(needed):
            shown, text = self._unparsed[resolved]
            try:
                module = parse_python(text, path=shown, abs_path=resolved, max_depth=self.config.limits.max_expression_depth)
            except (LimitExceeded, PythonSyntaxError):
                project.unparsable.add(resolved)
                continue
            if module is not None:
                project.modules[resolved] = module

    def _run_template_rules(self, templates: list[Template]) -> None:
        rules = self._rules(TemplateRule)
        for template in templates:
            for rule_class in rules:
                rule = rule_class(self._options(rule_class))
                try:
                    rule.check(template)  # type: ignore[attr-defined]
                except Exception as error:  # noqa: BLE001
                    self._crash(rule, template.path, error)
                    continue
                self.result.findings.extend(rule.findings)

    def _run_project_rules(self, project: Project) -> None:
        """Joined results depend on every template and every handler module they link: cached
        under a key over all of them, so a change on either side recomputes them."""
        key = None
        if self.cache is not None:
            linked = sorted({link.module_file for link in project.links.values() if link.module_file is not None})
            texts = {m.abs_path: m.text for m in project.modules.values()}
            texts.update({path: text for path, (_, text) in self._unparsed.items()})
            key = self.cache.key(
                "project",
                *(_template_digest(t) for t in project.templates),
                *(f"{path}:{text_digest(texts[path]) if path in texts else 'unreadable'}" for path in linked),
            )
            cached = self.cache.get(key)
            if cached is not None:
                self.result.findings.extend(cached)
                return
            self._parse_cached(project)
        found: list[Finding] = []
        crashed = len(self.result.internal_errors)
        for rule_class in self._rules(ProjectRule):
            rule = rule_class(self._options(rule_class))
            try:
                rule.check(project)  # type: ignore[attr-defined]
            except Exception as error:  # noqa: BLE001
                self._crash(rule, ", ".join(t.path for t in project.templates) or ".", error)
            # findings reported before a crash are still real
            found.extend(rule.findings)
        self.result.findings.extend(found)
        if key is not None and len(self.result.internal_errors) == crashed:
            self.cache.put(key, found)  # type: ignore[union-attr]

    def _run_code_rules(self, project: Project) -> None:
        rule_classes = self._rules(CodeRule)
        if not rule_classes:
            return
        from lintkit.python.traversal import BatchedVisitor

        for module in project.modules.values():
            if module.abs_path in self._unparsed:
                continue  # its results came from the cache; it was parsed only for a join
            text = module.text
            context = project.code_context(module)
            # a module outside the focus is here for its joins: a rule that only reads the code
            # reports in the module itself, which nobody asked about (and the partial result
            # must not be cached as the module's)
            context_only = self.focus is not None and not self.focus(module.path)
            active = [
                rule_class(self._options(rule_class))
                for rule_class in rule_classes
                if not context_only or rule_class.NEEDS_TEMPLATE  # type: ignore[attr-defined]
                if (not rule_class.TRIGGERS or any(token in text for token in rule_class.TRIGGERS))  # type: ignore[attr-defined]
                and (context.linked or not rule_class.NEEDS_TEMPLATE)  # type: ignore[attr-defined]
            ]
            if not active:
                key = self._module_keys.get(module.abs_path)
                if self.cache is not None and key is not None and not context_only:
                    self.cache.put(key, [])
                continue
            for rule in active:
                rule.bind(context)  # type: ignore[attr-defined]
            visitor = BatchedVisitor(active, lambda rule, error: self._crash(rule, module.path, error))  # type: ignore[arg-type]
            try:
                visitor.walk(module.tree, calls=partial(_module_calls, module))
            except RecursionError:
                self._engine_finding(PARSE_ERROR, Location(module.path, 1, 1), "Python file is nested too deeply to analyse")
                continue
            crashed = len(self.result.internal_errors)
            found = [finding for rule in active for finding in rule.findings]
            self.result.findings.extend(found)
            key = self._module_keys.get(module.abs_path)
            if self.cache is not None and key is not None and not context_only and len(self.result.internal_errors) == crashed:
                self.cache.put(key, found)

    # -- suppressions and config ---------------------------------------------------------
    def _filter(self, findings: list[Finding]) -> list[Finding]:
        suppressions: dict[str, Suppressions] = {}
        for path, text in self._texts.items():
            suppressions[path] = found = scan(text, self.known_codes, python=path.endswith(".py"))
            for line, column, code in found.unknown:
                findings.append(self._make(UNKNOWN_SUPPRESSION, Location(path, line, column), f"suppression names unknown rule code {code}"))
        used: set[tuple[str, int, str]] = set()  # (path, line of the comment, code or ALL) that silenced a finding
        kept = self._reportable(findings, suppressions, used)
        if UNUSED_SUPPRESSION in self.enabled:
            kept += self._reportable(self._unused_suppressions(findings, suppressions, used), suppressions, used)
        return kept

    def _reportable(self, findings: list[Finding], suppressions: dict[str, Suppressions], used: set) -> list[Finding]:
        """The findings the config and the suppressions leave, with their configured severity;
        the suppression entries that silenced one are added to `used`."""
        kept: list[Finding] = []
        per_file: dict[str, set[str]] = {}
        excluded: dict[str, bool] = {}
        for finding in findings:
            path = finding.path
            if finding.code not in self.enabled:
                continue
            if path not in excluded:
                excluded[path] = self._excluded(path)
            if excluded[path]:
                continue
            if path not in per_file:
                per_file[path] = self._per_file_ignores(path)
            if finding.code in per_file[path]:
                continue
            if self._suppressed(finding, suppressions.get(path), used):
                continue
            kept.append(self._with_cdk_context(self._with_severity(finding)))
        return kept

    def _per_file_ignores(self, path: str) -> set[str]:
        if not self.config.per_file_ignores:
            return set()
        return ignored_for_path(self.config, self.config.relpath(path), self.known_codes)

    def _unused_suppressions(self, findings: list[Finding], suppressions: dict[str, Suppressions], used: set) -> list[Finding]:
        """LK005 for each code a suppression comment names (and each bare `# lintkit: ignore`)
        that silenced no finding, in a file where that rule ran in full (`_ran_in_full`): a
        comment about a rule that did not run there, or not on everything it joins, may still
        be needed."""
        if self.result.internal_errors or self.result.project is None:
            return []  # a rule that crashed may have had findings for the comment to silence
        unreadable = {f.path for f in findings if f.code == PARSE_ERROR}
        unused: list[Finding] = []
        for path, comments in suppressions.items():
            if not comments.columns or path in unreadable:
                continue
            ran = self._ran_in_full(path)
            for (line, entry), column in sorted(comments.columns.items()):
                if (path, line, entry) in used or entry == UNUSED_SUPPRESSION:
                    continue
                if entry == ALL:
                    if not self._every_rule_ran(path, ran):
                        continue
                    message = "unused suppression: this `lintkit: ignore` silenced no finding; remove the comment"
                elif entry in ran:
                    name = self.registry.get(entry).name  # type: ignore[union-attr]
                    message = f"unused suppression: no {entry} ({name}) finding was silenced by this comment; remove {entry} from it"
                else:
                    continue
                finding = self._make(UNUSED_SUPPRESSION, Location(path, line, column), message)
                edit = removal(self._texts.get(path, ""), line, column, entry)
                if edit is not None:
                    title = "Remove the comment" if entry == ALL else f"Remove {entry} from the comment"
                    finding = replace(finding, fix=Fix(title, Applicability.SAFE, (Edit(path, *edit),)))
                unused.append(finding)
        return unused

    def _ran_in_full(self, path: str) -> set[str]:
        """The codes of the enabled rules that looked at all of `path` they could report on in
        this run, so that a suppression of one of them that silenced nothing is unused:

        - template rules, on a template;
        - code rules, on a Python file the code rules check (Lambda code, or a module a template
          links); those that need the template's view only when a template links it;
        - project rules (joins), on a template whose functions are all linked to a module that
          parses, and on such a module; not in a run of some files only (pre-commit), where a
          join's other half may be outside the files read, nor are code rules that need the
          template there.

        Codes `per-file-ignores` drops for the file are left out (their findings never show)."""
        project = self.result.project
        assert project is not None
        focused = self.focus is not None
        ran: set[str] = set()
        template = self._templates_by_path.get(path)
        resolved = self._python_files.get(path)
        if template is not None:
            ran.update(rule.code for rule in self._rules(TemplateRule))
            if not focused and self._joined_in_full(template):
                ran.update(rule.code for rule in self._rules(ProjectRule))
        elif resolved is not None and resolved not in project.unparsable:
            linking = [link.function.template for link in project.links.values() if link.module_file == resolved]
            model = project.lambda_code
            if not (linking or (model is not None and model.checks(resolved))):
                return set()  # not code the code rules check (a test, a script)
            if focused and not self.focus(path):  # type: ignore[misc]
                return set()  # read as context for a join only
            for rule in self._rules(CodeRule):
                if not rule.NEEDS_TEMPLATE or (linking and not focused):  # type: ignore[attr-defined]
                    ran.add(rule.code)
            if not focused and linking and all(self._joined_in_full(t) for t in linking):
                ran.update(rule.code for rule in self._rules(ProjectRule))
        return ran - self._per_file_ignores(path)

    def _joined_in_full(self, template: Template) -> bool:
        """Does the template define functions, each linked to a Python module that parses and
        defines its handler as a top-level `def handler(event, context)`? (Asked of the module's
        summary, which a run from the cache has too, so the answer does not depend on it.)"""
        project = self.result.project
        assert project is not None
        functions = list(template.functions.values())
        if not functions:
            return False
        for function in functions:
            link = project.links.get(function)
            if link is None or link.module_file is None or link.module_file in project.unparsable:
                return False
            summary = self._summaries.get(link.module_file)
            if summary is None or link.function_name not in getattr(summary, "handler_shaped", ()):
                return False
        return True

    def _every_rule_ran(self, path: str, ran: set[str]) -> bool:
        """A bare `# lintkit: ignore` silences every rule: it is unused only when every rule that
        can report in this kind of file ran there in full (none disabled, none skipped)."""
        kinds = (TemplateRule, ProjectRule) if path in self._templates_by_path else (CodeRule, ProjectRule)
        return all(rule.code in ran for rule in self.registry if issubclass(rule, kinds))

    def _excluded(self, path: str) -> bool:
        """A file the config's `exclude` leaves out that was read all the same, because a
        template links it or the code model reached it: context for the joins, but findings
        located in it are not reported. (A file discovery found, named on the command line or
        inside a folder named there, is reported.)"""
        if not self.config.exclude:
            return False
        return self.real_path(os.path.abspath(path)) not in self._discovered and self.config.is_excluded(path)

    def _with_cdk_context(self, finding: Finding) -> Finding:
        """A template finding inside a CDK resource names its construct path. When the assembly
        recorded the line of the user's app that created the construct, and that file is here,
        the finding is located there (the generated template, under a git-ignored `cdk.out`, is
        a place no pull request shows) and the template line becomes its related location; with
        no such file it stays on the template and names the recorded place."""
        template = self._templates_by_path.get(finding.path)
        if template is None:
            return finding
        if finding.fix is not None and (template.construct_paths or template.creation_sites):
            # a synthesized template is rewritten by the next `cdk synth`: the fix belongs in the app
            finding = replace(finding, fix=None)
        resource = template.resource_at(finding.path, finding.line)
        if resource is None:
            return finding
        changes: dict = {}
        if finding.construct_path is None and resource.construct_path is not None:
            changes["construct_path"] = resource.construct_path
        site = template.creation_sites.get(resource.logical_id)
        if site is not None:
            path, line, column = site
            construct = resource.construct_path or resource.logical_id
            if resource.logical_id in template.sites_here:
                generated = RelatedLocation(finding.location, f"{resource.logical_id} in the synthesized template")
                changes["location"] = Location(path, line, column)
                changes["related"] = (generated,) + finding.related
            else:
                note = RelatedLocation(Location(path, line, column), f"{construct} is created here")
                changes["related"] = finding.related + (note,)
        return replace(finding, **changes) if changes else finding

    def _suppressed(self, finding: Finding, comments: Suppressions | None, used: set | None = None) -> bool:
        """An inline comment on the line (or alone above it); in a template also a comment on
        the resource's logical id line, the resource's `Metadata`, or the template's. Every
        comment entry that silences the finding is added to `used`. An LK005 (an unused
        suppression) is silenced only by a comment naming LK005: a bare `# lintkit: ignore`
        would otherwise silence the finding about itself."""
        code = finding.code
        matched = comments.matches(finding.line, code) if comments is not None else []
        by_metadata = False
        template = self._templates_by_path.get(finding.path)
        if template is not None:
            by_metadata = code in template.ignored_codes
            resource = template.resource_at(finding.path, finding.line)
            if resource is not None:
                by_metadata = by_metadata or code in resource.ignored_codes
                if comments is not None:
                    matched += comments.matches(resource.location().line, code)
        if code == UNUSED_SUPPRESSION:
            matched = [entry for entry in matched if entry[1] != ALL]
        if used is not None:
            used.update((finding.path, line, entry) for line, entry in matched)
        return bool(matched) or by_metadata

    def _with_severity(self, finding: Finding) -> Finding:
        override = self.config.severity.get(finding.code)
        return replace(finding, severity=override) if override is not None else finding


# The summaries entry keeps those of files no longer seen while it is small; past this many
# entries it keeps only the current run's.
_SUMMARIES_KEPT = 20_000


def _summaries_changed(index: dict[str, object], used: set[str], added: bool) -> bool:
    """Prune the summaries entry when it has grown; say whether it needs writing."""
    if len(index) > max(_SUMMARIES_KEPT, 2 * len(used)):
        for stale in [key for key in index if key not in used]:
            del index[stale]
        return True
    return added


def _module_calls(module) -> list:
    """The module's calls, as its resolver found them (built here if no rule built it yet)."""
    from lintkit.python.resolve import resolver_for

    return list(resolver_for(module).calls())


def check(
    paths: Sequence[str | os.PathLike],
    *,
    registry: Registry,
    config: Config,
    enabled: set[str],
    sources: Mapping[Path, Source] | None = None,
    cache: Cache | None = None,
    focus: Callable[[str], bool] | None = None,
) -> RunResult:
    """Check `paths`. `sources` gives the text of files held in memory (an editor buffer, stdin):
    they are checked as if on disk with that content, and the files around them give context.
    `cache` reuses results of unchanged files (see `lintkit.cache`). `focus` says which files
    findings are wanted about (by the path findings show): code-only rules are not run on other
    modules, which are read for their joins with a template; their findings, elsewhere, may be
    missing from the result."""
    return Run(registry, config, enabled, sources, cache, focus).check(paths)


def exit_code(result: RunResult, fail_on: Severity) -> int:
    if result.internal_errors:
        return 2
    return 1 if any(f.severity >= fail_on for f in result.findings) else 0
