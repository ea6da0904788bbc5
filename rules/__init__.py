"""lintkit's rules, one module per anti-pattern family (installed as `lintkit.rules`).

Every public module here is imported by `lintkit.rule.registry()`; a module whose name starts
with an underscore holds shared code, not rules."""
