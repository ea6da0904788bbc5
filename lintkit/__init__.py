"""lintkit: static analysis of AWS Lambda projects (Python handlers joined with their templates)."""

__version__ = "0.1.0"
