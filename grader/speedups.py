"""Start-up and per-notebook speed for the grader's own processes (never the learner's kernel).

Three costs every grading worker would pay again and again, measured with cProfile on one lab00
submission (2-core machine):

- ``jsonschema`` (imported by nbformat) optionally imports ``rfc3987_syntax`` to check the "iri"
  string format; that import builds a parser and costs one to two seconds per process. No
  notebook schema uses that format, so grader processes block the optional import, and jsonschema
  simply does without that checker (``skip_slow_optional_imports``, before nbformat is imported).
- nbconvert validates the notebook after every preprocessor with
  ``nbformat.validate(nb, relax_add_props=True)``, and nbformat 5.10 compiles a new
  fastjsonschema validator on *every* relaxed call (and stores it over the strict one). Autograde
  runs a dozen preprocessors: about 1 s of CPU per submission. ``cache_notebook_validators``
  keeps one relaxed and one strict validator per schema version; what they accept is unchanged.
- nbgrader checks each cell's ``nbgrader`` metadata with ``jsonschema.validate``, which checks
  the *schema* itself again on every call (about 0.2 s per submission).
  ``cache_metadata_validator`` checks nbgrader's schema once and reuses its validator; a cell
  with bad metadata raises the same ``ValidationError``.

``apply_all()`` does all three; grader processes call it before importing nbformat or nbgrader.
"""

import json
import sys

SLOW_OPTIONAL = ("rfc3987_syntax",)


def skip_slow_optional_imports() -> None:
    """Make the optional imports above fail fast (if jsonschema is not imported yet)."""
    if "jsonschema" in sys.modules:
        return
    for name in SLOW_OPTIONAL:
        sys.modules.setdefault(name, None)


def cache_notebook_validators() -> None:
    """Memoise ``nbformat.validator.get_validator`` per (version, minor, relaxed, name)."""
    from nbformat import validator

    if getattr(validator.get_validator, "monitorlab_cached", False):
        return
    original, cache = validator.get_validator, {}

    def get_validator(version=None, version_minor=None, relax_add_props=False, name=None):
        key = (version, version_minor, bool(relax_add_props), name,
               None if name else validator.get_current_validator().name)
        if key not in cache:
            strict = dict(validator.validators)  # a relaxed build overwrites nbformat's entry
            cache[key] = original(version, version_minor, relax_add_props, name)
            if relax_add_props:
                validator.validators.clear()
                validator.validators.update(strict)
        return cache[key]

    get_validator.monitorlab_cached = True
    validator.get_validator = get_validator


class _CachedJsonschema:
    """The part of the ``jsonschema`` module nbgrader's metadata validator uses, with the
    schema checked once per schema object instead of once per cell."""

    def __init__(self, jsonschema_module):
        self._jsonschema = jsonschema_module
        self._validators = {}

    def __getattr__(self, name):
        return getattr(self._jsonschema, name)

    def validate(self, instance, schema, cls=None, *args, **kwargs):
        """As ``jsonschema.validate``: raise the best-matching ``ValidationError``, if any."""
        key = (json.dumps(schema, sort_keys=True, default=repr), cls, repr(args), repr(kwargs))
        if key not in self._validators:
            kind = cls or self._jsonschema.validators.validator_for(schema)
            kind.check_schema(schema)
            self._validators[key] = kind(schema, *args, **kwargs)
        error = self._jsonschema.exceptions.best_match(self._validators[key].iter_errors(instance))
        if error is not None:
            raise error


def cache_metadata_validator() -> None:
    """Make nbgrader's cell-metadata validation reuse one validator per schema."""
    import jsonschema
    from nbgrader.nbgraderformat import common

    if not isinstance(common.jsonschema, _CachedJsonschema):
        common.jsonschema = _CachedJsonschema(jsonschema)


def apply_all() -> None:
    """Every speed-up above (call before importing nbformat or nbgrader)."""
    skip_slow_optional_imports()
    cache_notebook_validators()
    cache_metadata_validator()
