"""What an instructor reads after a grading run, and the files an LMS imports.

``write_report``: one self-contained HTML page (no scripts, no network) with, per lab, the score
distribution (10 bins of the maximum, as an inline SVG), per-task pass rates (full / partial /
zero marks and mean points), the most common failure messages (first line of what a test printed
or raised, per task), integrity flags (restored or edited test cells, interrupted cells, grading
errors, and groups of learners whose answer cells are identical and differ from the release) and
the slowest submissions.

``write_canvas_csv``: a Canvas gradebook import file. Canvas matches rows on ``ID``, ``SIS User
ID`` or ``SIS Login ID`` and creates a new assignment for a column it does not know; we only know
the submission folder's name, so it goes into ``Student`` and ``SIS Login ID`` (a JupyterHub
user name is usually the institution login) and ``ID`` stays empty. Columns: ``Student, ID, SIS
User ID, SIS Login ID, Section``, then one per lab; the first data row is ``Points Possible``.
A learner with no submission of a lab gets an empty cell (Canvas leaves it ungraded).

``write_gradescope``: Gradescope's autograder ``results.json`` layout, one file per submission at
``DIR/<lab>/<student>/results.json``: ``score``, ``execution_time``, ``output`` (the grading
error or notes), ``visibility``, ``stdout_visibility`` and ``tests`` (one per graded cell:
``name``, ``number``, ``score``, ``max_score``, ``status``, ``output``, ``visibility``). Test
messages can hint at hidden-test inputs, so every test is ``after_published`` (the learner sees
them once the instructor publishes the grades); ``TEST_VISIBILITY`` changes it.
"""

import csv
import hashlib
import html
import json
import statistics
from collections import Counter, defaultdict
from pathlib import Path

from grader import layout
from grader.notebooks import NotebookError, answer_cells, read_notebook
from grader.results import SubmissionResult, _first_line, _num, sort_results

BINS = 10
TOP = 10
TEST_VISIBILITY = "after_published"
CANVAS_FIXED = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


# --------------------------------------------------------------------------- the HTML report

def write_report(results: list[SubmissionResult], path: Path, *, root: Path | None = None,
                 title: str = "MonitorLab grading report") -> None:
    """Write the HTML report (module docstring); ``root`` gives the releases for copy checks."""
    labs = sorted({r.lab for r in results})
    sections = [lab_section(lab, [r for r in sort_results(results) if r.lab == lab], root)
                for lab in labs]
    page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{_e(title)}</title>"
            f"<style>{CSS}</style></head><body><h1>{_e(title)}</h1>"
            f"<p>{len(results)} submission(s), {len(labs)} lab(s): "
            + ", ".join(f"<a href='#{lab}'>{lab}</a>" for lab in labs) + "</p>"
            + "".join(sections) + "</body></html>\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")


def lab_section(lab: str, rows: list[SubmissionResult], root: Path | None) -> str:
    """The HTML of one lab."""
    scores = [r.score for r in rows]
    maximum = max((r.max_score for r in rows), default=0.0)
    summary = (f"{len(rows)} submission(s); mean {_num(statistics.fmean(scores))}, median "
               f"{_num(statistics.median(scores))}, min {_num(min(scores))}, max "
               f"{_num(max(scores))} of {_num(maximum)}; "
               f"{sum(1 for r in rows if r.error)} stopped by an error")
    return (f"<section id='{lab}'><h2>{lab}</h2><p>{_e(summary)}</p>"
            f"<h3>Score distribution</h3>{histogram_svg(score_bins(scores, maximum))}"
            f"<h3>Pass rate per task</h3>{_table(task_rates(rows))}"
            f"<h3>Most common failure messages</h3>{_table(common_failures(rows))}"
            f"<h3>Integrity flags</h3>{_table(integrity_flags(rows, root))}"
            f"<h3>Slowest submissions</h3>{_table(slowest(rows))}</section>")


def score_bins(scores: list[float], maximum: float, bins: int = BINS) -> list[tuple[str, int]]:
    """Counts of scores in ``bins`` equal bins of ``[0, maximum]`` (the last one closed)."""
    counts = [0] * bins
    for score in scores:
        index = bins - 1 if maximum <= 0 else min(int(score / maximum * bins), bins - 1)
        counts[index] += 1
    edges = [maximum * i / bins for i in range(bins + 1)]
    return [(f"{_num(edges[i])}-{_num(edges[i + 1])}", counts[i]) for i in range(bins)]


def histogram_svg(bins: list[tuple[str, int]], width: int = 600, height: int = 160) -> str:
    """Bars of ``(label, count)`` as an inline SVG, counts above, labels below."""
    top = max((count for _, count in bins), default=0) or 1
    step = width / len(bins)
    bars = []
    for i, (label, count) in enumerate(bins):
        h = (height - 40) * count / top
        x, y = i * step + 4, height - 20 - h
        bars.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{step - 8:.1f}' height='{h:.1f}'/>"
                    f"<text x='{x + (step - 8) / 2:.1f}' y='{y - 4:.1f}'>{count}</text>"
                    f"<text x='{x + (step - 8) / 2:.1f}' y='{height - 6}'>{_e(label)}</text>")
    return (f"<svg class='hist' width='{width}' height='{height}' role='img' "
            f"aria-label='score distribution'>{''.join(bars)}</svg>")


def task_rates(rows: list[SubmissionResult]) -> list[list[str]]:
    """Per task: points, % full marks, % partial, % zero, mean points (header first)."""
    table = [["task", "points", "full marks", "partial", "zero", "mean"]]
    by_task = defaultdict(list)
    for r in rows:
        for t in r.tasks:
            by_task[t.grade_id].append(0.0 if r.error else t.points / t.max_points
                                       if t.max_points else 1.0)
    for r in rows[:1]:
        for t in r.tasks:
            shares = by_task[t.grade_id]
            table.append([t.grade_id, _num(t.max_points), _pct(shares, lambda s: s >= 1),
                          _pct(shares, lambda s: 0 < s < 1), _pct(shares, lambda s: s <= 0),
                          _num(statistics.fmean(shares) * t.max_points)])
    return table


def common_failures(rows: list[SubmissionResult]) -> list[list[str]]:
    """The ``TOP`` most frequent (task, first message line) of tasks below full marks."""
    counts = Counter()
    for r in rows:
        if r.error:
            counts["(grading stopped)", _first_line(r.error)[:200]] += 1
            continue
        for t in r.tasks:
            if t.points < t.max_points:
                counts[t.grade_id, _first_line(t.message)[:200] or "(no message)"] += 1
    return [["learners", "task", "message"]] + [
        [str(n), task, message] for (task, message), n in
        sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP]]


def integrity_flags(rows: list[SubmissionResult], root: Path | None) -> list[list[str]]:
    """Per learner: errors and notes; then groups whose answer cells are identical."""
    table = [["learner(s)", "flag"]]
    for r in rows:
        for flag in ([f"grading stopped: {r.error}"] if r.error else []) + r.notes:
            table.append([r.student, flag])
    for students in identical_answers(rows, root):
        table.append([", ".join(students), f"{len(students)} submissions with identical answer "
                                           "cells (copied, or a shared starting point?)"])
    return table


def identical_answers(rows: list[SubmissionResult], root: Path | None) -> list[list[str]]:
    """Groups (2+) of learners whose answer cells hash alike, the untouched release excluded."""
    release = None
    if root is not None and rows:
        release = answers_digest(layout.release_notebook(root, rows[0].lab))
    groups = defaultdict(list)
    for r in rows:
        digest = answers_digest(Path(r.notebook))
        if digest is not None and digest != release:
            groups[digest].append(r.student)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def answers_digest(path: Path) -> str | None:
    """SHA-256 of a notebook's answer cells (whitespace-normalised), or None if unreadable."""
    try:
        cells = answer_cells(read_notebook(path))
    except (NotebookError, OSError):
        return None
    text = "\0".join(" ".join(cell.source.split()) for cell in cells)
    return hashlib.sha256(text.encode()).hexdigest()


def slowest(rows: list[SubmissionResult]) -> list[list[str]]:
    """The ``TOP`` submissions that took longest to grade."""
    ranked = sorted(rows, key=lambda r: (-r.seconds, r.student))[:TOP]
    return [["learner", "seconds", "score"]] + [
        [r.student, f"{r.seconds:.1f}", f"{_num(r.score)}/{_num(r.max_score)}"] for r in ranked]


# --------------------------------------------------------------------------- LMS exports

def write_canvas_csv(results: list[SubmissionResult], path: Path) -> None:
    """Write the Canvas gradebook import CSV (module docstring)."""
    labs = sorted({r.lab for r in results})
    maximum = {lab: max(r.max_score for r in results if r.lab == lab) for lab in labs}
    score = {(r.student, r.lab): r.score for r in results}
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow([*CANVAS_FIXED, *labs])
        writer.writerow(["Points Possible", "", "", "", "", *(_num(maximum[lab]) for lab in labs)])
        for student in sorted({r.student for r in results}):
            writer.writerow([student, "", "", student, "",
                             *(_num(score[student, lab]) if (student, lab) in score else ""
                               for lab in labs)])


def gradescope_result(result: SubmissionResult) -> dict:
    """One submission as Gradescope's ``results.json`` (module docstring)."""
    tests = [{"name": t.grade_id, "number": str(i), "score": t.points,
              "max_score": t.max_points, "status": "passed" if t.points >= t.max_points
              else "failed", "output": t.message, "visibility": TEST_VISIBILITY}
             for i, t in enumerate(result.tasks, 1)]
    output = result.error or "\n".join(result.notes)
    return {"score": result.score, "execution_time": round(result.seconds), "output": output,
            "visibility": TEST_VISIBILITY, "stdout_visibility": "hidden", "tests": tests}


def write_gradescope(results: list[SubmissionResult], folder: Path) -> None:
    """Write ``folder/<lab>/<student>/results.json`` for every result."""
    for result in results:
        path = folder / result.lab / result.student / "results.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(gradescope_result(result), indent=1, sort_keys=True) + "\n",
                        encoding="utf-8")


def write_all(results: list[SubmissionResult], out: Path, root: Path | None) -> list[Path]:
    """Report and both exports under ``out``; return what was written."""
    written = [out / "report.html", out / "canvas_gradebook.csv", out / "gradescope"]
    write_report(results, written[0], root=root)
    write_canvas_csv(results, written[1])
    write_gradescope(results, written[2])
    return written


# --------------------------------------------------------------------------- helpers

CSS = ("body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;color:#222}"
       "table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;"
       "padding:.25em .6em;text-align:left;vertical-align:top}th{background:#f3f3f3}"
       "svg.hist rect{fill:#4c72b0}svg.hist text{font-size:11px;text-anchor:middle}"
       "section{border-top:2px solid #888;margin-top:2em}")


def _table(rows: list[list[str]]) -> str:
    """An HTML table, header first; a note if there is no data row."""
    if len(rows) < 2:
        return "<p>none</p>"
    head = "".join(f"<th>{_e(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>"
                   for row in rows[1:])
    return f"<table><tr>{head}</tr>{body}</table>"


def _pct(shares: list[float], keep) -> str:
    """Percentage of ``shares`` for which ``keep`` holds."""
    return f"{100 * sum(1 for s in shares if keep(s)) / len(shares):.0f} %" if shares else "-"


def _e(text) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)
