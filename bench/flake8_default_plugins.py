"""Run flake8 with its default plugins only (pyflakes, pycodestyle, mccabe).

Installing lintkit registers a flake8 plugin (`LK`), and flake8 runs every installed plugin:
`flake8` in the benchmark's environment would run lintkit on every file and the comparison
would measure lintkit twice. flake8 has no option to turn an installed plugin off, so this
wrapper drops the plugins of other distributions before flake8 loads them, then runs flake8's
own command line with the arguments given:

    python bench/flake8_default_plugins.py [flake8 arguments]
"""

from __future__ import annotations

import multiprocessing
import sys

from flake8.plugins import finder

DEFAULT_DISTRIBUTIONS = frozenset({"flake8", "pyflakes", "pycodestyle", "mccabe"})

_find_plugins = finder.find_plugins


def find_plugins(cfg, opts):
    return [p for p in _find_plugins(cfg, opts) if p.package.lower() in DEFAULT_DISTRIBUTIONS]


finder.find_plugins = find_plugins

if __name__ == "__main__":
    # flake8's workers reuse the parent's plugins only when forked; a spawned worker would
    # look the plugins up again, without this filter.
    if "fork" in multiprocessing.get_all_start_methods():
        multiprocessing.set_start_method("fork")
    from flake8.main.cli import main

    sys.exit(main())
