"""lintkit where its users already work: pre-commit and partial checks (`context`), editor
buffers (`buffers`), the flake8 plugin (`flake8_plugin`) and the cfn-lint rule adapter
(`cfn_lint_rules`, the only module of lintkit that imports cfn-lint)."""
