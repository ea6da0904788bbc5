"""lintkit's template rules inside a cfn-lint run:

    cfn-lint template.yaml --append-rules lintkit.integrations.cfn_lint_rules

(or `append_rules: [lintkit.integrations.cfn_lint_rules]` in `.cfnlintrc`). cfn-lint imports
this module and instantiates every rule class in it: one per lintkit rule that reports on
templates, that is every rule of the registry except the code rules (which report on Python
files only). Each runs lintkit as `lintkit check <template>` would (the nearest lintkit
configuration, the handler code the template links, inline and `Metadata` suppressions) and
reports the findings located in the template.

Ids: cfn-lint's rule ids are a severity letter and four digits, and it reserves 9xxx for rules
from outside its own set. lintkit code LKabc becomes `<letter>9abc`, the letter from the rule's
default severity (E error, W warning, I info): LK501 (warning) is W9501, LK502 (error) E9502,
LK002 E9002. The message starts with the lintkit code, and the rule's description names it.
cfn-lint shows `I` rules only with `--include-checks I`.
"""

from __future__ import annotations

import re

from lintkit.findings import rule_url
from lintkit.integrations import _cfn_lint_base
from lintkit.rule import CodeRule, registry


def _class_name(rule) -> str:
    words = re.split(r"[^A-Za-z0-9]+", rule.name)
    return "Lintkit" + rule.code + "".join(word.capitalize() for word in words if word)


def _make(rule) -> type:
    references = tuple(rule.references)
    return type(
        _class_name(rule),
        (_cfn_lint_base.LintkitRule,),
        {
            "__module__": __name__,
            "__doc__": f"lintkit {rule.code} {rule.name}: {rule.summary}",
            "id": _cfn_lint_base.cfn_lint_id(rule.code, rule.severity),
            "shortdesc": f"lintkit {rule.code} {rule.name}",
            "description": f"lintkit {rule.code} ({rule.name}): {rule.summary} See `lintkit rule {rule.code}`.",
            "source_url": references[0] if references else rule_url(rule.code),
            "tags": ["lintkit", "lambda", rule.code],
            "lintkit_code": rule.code,
        },
    )


RULES: dict[str, type] = {}
for _rule in registry():
    if issubclass(_rule, CodeRule):
        continue
    _cls = _make(_rule)
    RULES[_rule.code] = _cls
    globals()[_cls.__name__] = _cls
del _rule, _cls
