"""The grader's speed-ups change what costs CPU, never what is accepted, run or recorded."""

import copy

import jsonschema
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader import boxrun, speedups

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


def test_boxrun_executes_like_nbgraders_execute_preprocessor(tmp_path):
    """Errors do not stop the run; a cell past the timeout is interrupted and marked exactly as
    nbgrader marks it; outputs are the same as nbgrader's Execute gives."""
    from nbgrader.preprocessors import Execute

    from grader.kernel import VenvKernelManager

    nb = new_notebook(cells=[new_code_cell("x = 2\nprint(x * 21)"),
                             new_code_cell("raise ValueError('bad answer')"),
                             new_code_cell("import time\nwhile True:\n    time.sleep(0.05)"),
                             new_code_cell("print('still running', x)")])
    source, dest = tmp_path / "in.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    assert boxrun.main([str(source), str(dest), "3"]) == 0
    ours = nbformat.read(dest, as_version=4)
    theirs = copy.deepcopy(nb)
    Execute(timeout=3, kernel_manager_class=VenvKernelManager).preprocess(
        theirs, {"metadata": {"path": str(tmp_path)}})

    def shape(notebook):
        return [[(o.output_type, o.get("name"), o.get("text"), o.get("ename"))
                 for o in cell.outputs] for cell in notebook.cells]

    assert shape(ours) == shape(theirs)
    assert shape(ours)[0] == [("stream", "stdout", "42\n", None)]
    assert [o.ename for o in ours.cells[1].outputs] == ["ValueError"]
    assert "CellTimeoutError" in [o.get("ename") for o in ours.cells[2].outputs]
    assert shape(ours)[3] == [("stream", "stdout", "still running 2\n", None)]
    nbformat.validate(ours)


def test_boxrun_waits_for_late_outputs_as_the_course_config_says():
    from grader.settings import load_config

    cfg = load_config()
    assert boxrun.EXECUTE["iopub_timeout"] == cfg.Execute.iopub_timeout >= 30
    assert boxrun.EXECUTE["startup_timeout"] == cfg.Execute.startup_timeout
