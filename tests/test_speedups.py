"""The grader's speed-ups change what costs CPU, never what is accepted, run or recorded."""

import copy

import jsonschema
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader import speedups

speedups.apply_all()


def test_relaxed_notebook_validation_compiles_once_and_strict_stays_strict(monkeypatch):
    from nbformat import validator

    built = []
    kind = validator.get_current_validator()
    original_init = kind.__init__
    monkeypatch.setattr(kind, "__init__", lambda self, schema: (built.append(schema),
                                                                original_init(self, schema))[1])
    nb = new_notebook(cells=[new_code_cell("1 + 1")])
    nb.cells[0]["extra_field"] = 1  # allowed only by the relaxed schema nbconvert asks for
    nbformat.validate(nb, relax_add_props=True)
    built.clear()
    for _ in range(4):
        nbformat.validate(nb, relax_add_props=True)
    assert built == []  # nbformat 5.10 alone compiles a validator on every relaxed call
    with pytest.raises(nbformat.ValidationError):  # nbformat alone then accepts this: it keeps
        nbformat.validate(nb)                       # the relaxed validator as the strict one
    nbformat.validate(new_notebook(cells=[new_code_cell("1 + 1")]))


def test_metadata_schema_is_checked_once_and_bad_metadata_still_fails(monkeypatch):
    from nbgrader.nbgraderformat import MetadataValidator

    checked = []
    kind = jsonschema.validators.validator_for({"$schema": "http://json-schema.org/draft-04/schema"})
    monkeypatch.setattr(kind, "check_schema", classmethod(lambda cls, s: checked.append(s)))
    metadata = MetadataValidator()
    good = new_code_cell("x = 1", metadata={"nbgrader": {
        "grade": False, "solution": True, "locked": False, "grade_id": "answer", "schema_version": 3}})
    for _ in range(4):
        metadata.validate_cell(copy.deepcopy(good))
    assert len(checked) <= 1
    bad = copy.deepcopy(good)
    bad.metadata.nbgrader["grade"] = "yes"
    with pytest.raises(jsonschema.ValidationError, match="'yes' is not of type 'boolean'"):
        metadata.validate_cell(bad)
