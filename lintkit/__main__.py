from lintkit.cli import entry_point

entry_point()
