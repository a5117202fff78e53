# Every target sets itself up: on a fresh machine with only Python 3.11+ and pip, the first
# target you run creates .venv and installs the project into it.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: lab instructor test browser demo labs grade check-sync bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	$(PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (MonitorLab)" >/dev/null
	touch $(STAMP)

## lab: start JupyterLab on the course (nbgrader extensions enabled) and print the URL
# Jupyter refuses to run as root without --allow-root (containers and CI machines run as root).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=

# Seeds the git-ignored workspace/ from course/ and labs/ (never overwriting a learner's file),
# then serves it; grader/jupyter_server_config.py and grader/lab.py say how.
lab: $(STAMP)
	@echo "MonitorLab: open the URL JupyterLab prints below; it opens on workspace/START.md."
	$(PY) -m grader lab --no-browser --ip=127.0.0.1 $(ROOT_FLAG) $(LAB_ARGS)

## instructor: the same JupyterLab with every folder listed (solutions/, submitted/, ...)
instructor: $(STAMP)
	$(PY) -m grader lab --no-browser --ip=127.0.0.1 $(ROOT_FLAG) \
		--CourseContentsManager.show_all=True $(LAB_ARGS)

## test: the whole test suite (the browser test needs Chromium: see `browser`)
test: $(STAMP) browser
	$(PY) -m pytest -n 2 --dist loadfile --no-loadscope-reorder

## browser: make sure a Chromium is on the machine for tests/test_browser.py; as root on a
## Debian/Ubuntu machine without one, install Debian's `chromium` package with apt-get
browser:
	@$(PYTHON) tests/browser_setup.py

## demo: run every lecture headless, regenerate the labs, autograde the bundled demo submissions
demo: $(STAMP)
	$(PY) -m grader demo

## labs: regenerate labs/ from solutions/
labs: $(STAMP)
	$(PY) -m grader generate

check-sync: $(STAMP)
	$(PY) -m grader check-sync

## grade DIR=submitted/: autograde a folder of submissions, write grades.csv
grade: $(STAMP)
	$(PY) -m grader autograde $(DIR)

## bench: every benchmark in benchmarks/ (figures and ratios against their targets)
bench: $(STAMP)
	for script in benchmarks/*.py; do echo "== $$script"; $(PY) $$script || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache
