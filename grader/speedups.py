"""Start-up speed for the grader's own processes (never the learner's kernel).

``jsonschema`` (imported by nbformat) optionally imports ``rfc3987_syntax`` to check the "iri"
string format; that import builds a parser and costs one to two seconds per process. No notebook
schema uses that format, so grader processes block the optional import, and jsonschema simply
does without that checker. With one worker process per submission, this saves seconds per
submission. Call ``skip_slow_optional_imports()`` before importing nbformat or nbgrader.
"""

import sys

SLOW_OPTIONAL = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Make the optional imports above fail fast (if jsonschema is not imported yet)."""
    if "jsonschema" in sys.modules:
        return
    for name in SLOW_OPTIONAL:
        sys.modules.setdefault(name, None)
