"""Scores decided where learner code cannot reach them: kernel-side evaluation, trusted scoring.

A converted lab has ``grader/checks/<lab>.py`` defining ``CHECKS``, one ``Check`` per graded
cell (its ``grade_id``). At grading time every test cell is replaced by a grader-made
*evaluation cell* (``evaluation_cell``): it runs the check's ``evaluate`` code in the learner's
kernel (call the learner's function on inputs drawn for this grading run, read a config
variable, read a letter) and prints one JSON record of plain values between two copies of a
per-run random nonce. Nothing in it is an expected value or a point.

After the kernel is gone, the grading process finds that record in the cell's output
(``read_record``) and calls the check's ``score(values, inputs)``, which computes the expected
values (with the engine where the task needs them) and returns the points and the messages.
A learner who forges the record (prints one, patches ``print``, hooks the cell) can only claim
values their own code could have produced; a missing or unparseable record scores 0 with a
message. Points are capped at the cell's points and never negative.

Values cross as JSON (``jsonable`` in the kernel): ``None``, ``bool``, ``int``, ``float`` and
``str`` of exactly those types pass as themselves; lists/tuples as lists, dicts with their keys
as strings; anything else as ``{"__obj__": type name, "repr", "str", "float", "iso"}`` (the last
two when ``float(x)`` / ``x.isoformat()`` work), so a check can tell ``25`` from ``np.int64(25)``.
Sizes are capped (strings 4,000 characters, 2,000 items, depth 8).
"""

import importlib.util
import json
import random
import secrets
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CHECKS_DIR = ("grader", "checks")
NOT_WRITTEN = "NotImplementedError"

# Kernel side: helpers every evaluation cell defines inside its own function (no globals left).
PRELUDE = '''
import json as _json, math as _math
def jsonable(x, depth=0):
    if depth > 8:
        return {"__obj__": "too deep", "repr": "..."}
    if x is None or type(x) in (bool, int, str):
        return x[:4000] if type(x) is str else x
    if type(x) is float:
        return x
    if type(x) in (list, tuple):
        return [jsonable(v, depth + 1) for v in list(x)[:2000]]
    if type(x) is dict:
        return {str(k)[:200]: jsonable(v, depth + 1) for k, v in list(x.items())[:2000]}
    out = {"__obj__": type(x).__name__}
    for key, how in (("repr", repr), ("str", str), ("float", float),
                     ("iso", lambda v: v.isoformat())):
        try:
            value = how(x)
            out[key] = value[:4000] if isinstance(value, str) else float(value)
        except Exception:
            pass
    return out
def raised(error):
    return {"raised": f"{type(error).__name__}: {error}"[:1000]}
def get(name):
    space = globals()
    if name not in space:
        return {"missing": name}
    return {"value": jsonable(space[name])}
def call(name, *args, **kwargs):
    space = globals()
    if name not in space:
        return {"missing": name}
    try:
        return {"value": jsonable(space[name](*args, **kwargs))}
    except Exception as error:
        return raised(error)
def attempt(fn):
    try:
        return {"value": jsonable(fn())}
    except Exception as error:
        return raised(error)
'''


@dataclass(frozen=True)
class Check:
    """How one graded cell is scored.

    ``evaluate``: Python statements run in the learner's kernel as the body of a function that
    sees ``INPUTS`` and the helpers ``get``/``call``/``attempt``/``jsonable``; it returns a dict of
    JSON-able values. ``score(values, inputs)`` runs in the grading process and returns
    ``(points, messages)``. ``inputs(rng)`` draws the run's hidden inputs (JSON-able).
    ``forbid``: ``(answer grade_id, names)`` pairs: a task whose answer cell uses one of those
    engine names (the function the task asks to write) scores 0 (``forbidden_uses``).
    """

    grade_id: str
    points: float
    evaluate: str
    score: Callable[[dict, dict], tuple[float, list[str]]]
    inputs: Callable[[random.Random], dict] = field(default=lambda rng: {})
    forbid: tuple[tuple[str, tuple[str, ...]], ...] = ()


class ChecksError(ValueError):
    """A checks file is malformed (the message names the file and the fix)."""


def checks_file(root: Path, lab: str) -> Path:
    """``grader/checks/<lab>.py`` of the course at ``root``."""
    return Path(root).joinpath(*CHECKS_DIR, f"{lab}.py")


def load_checks(path: Path | str | None) -> dict[str, Check]:
    """``grade_id -> Check`` from a checks file (empty if there is none: an unconverted lab)."""
    if not path or not Path(path).is_file():
        return {}
    path = Path(path)
    spec = importlib.util.spec_from_file_location(f"_monitorlab_checks_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    checks = getattr(module, "CHECKS", None)
    if not isinstance(checks, (list, tuple)) or not all(isinstance(c, Check) for c in checks):
        raise ChecksError(f"{path} must define CHECKS = [Check(...), ...] "
                          "(from grader.trusted import Check)")
    return {c.grade_id: c for c in checks}


def draw_inputs(checks: dict[str, Check], seed: int) -> dict[str, dict]:
    """Every check's hidden inputs for one grading run; same seed, same inputs."""
    return {gid: check.inputs(random.Random(f"{seed}:{gid}")) for gid, check in checks.items()}


def new_nonce() -> str:
    """A per-run random tag around evaluation records."""
    return "MLREC" + secrets.token_hex(12)


def evaluation_cell(check: Check, inputs: dict, nonce: str) -> str:
    """The source of the cell that replaces ``check``'s test cell in the learner's kernel."""
    body = PRELUDE + f"INPUTS = _json.loads({json.dumps(inputs)!r})\n" + check.evaluate
    fn = f"_monitorlab_check_{nonce}"
    return (f"def {fn}():\n{textwrap.indent(body, '    ')}\n"
            f"def {fn}_record():\n"
            f"    import json\n"
            f"    try:\n"
            f"        out = {{'values': {fn}()}}\n"
            f"    except Exception as error:\n"
            f"        out = {{'raised': f'{{type(error).__name__}}: {{error}}'[:1000]}}\n"
            f"    print('{nonce}' + json.dumps(out, default=repr) + '{nonce}')\n"
            f"{fn}_record()\ndel {fn}, {fn}_record\n")


def read_record(outputs: list, nonce: str) -> tuple[dict | None, str]:
    """The last evaluation record in a cell's stdout, or ``(None, why not)``."""
    text = "".join(o.get("text", "") for o in outputs
                   if o.get("output_type") == "stream" and o.get("name") == "stdout")
    end = text.rfind(nonce)
    start = text.rfind(nonce, 0, end) if end > 0 else -1
    if start < 0:
        errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in outputs
                  if o.get("output_type") == "error"]
        why = errors[-1] if errors else "it printed no evaluation record"
        return None, f"the evaluation of this task did not finish ({why})"
    try:
        record = json.loads(text[start + len(nonce):end])
    except ValueError:
        return None, "the evaluation record of this task could not be read"
    if not isinstance(record, dict):
        return None, "the evaluation record of this task could not be read"
    return record, ""


def score_cell(check: Check, inputs: dict, outputs: list, nonce: str) -> tuple[float, list[str]]:
    """Points (within ``[0, check.points]``) and messages for one evaluated cell."""
    record, why = read_record(outputs, nonce)
    if record is None:
        return 0.0, [f"✗ {why}: 0 points"]
    if "values" not in record or not isinstance(record["values"], dict):
        return 0.0, [f"✗ the evaluation raised {str(record.get('raised'))[:300]}: 0 points"]
    try:
        points, messages = check.score(record["values"], inputs)
    except Exception as exc:  # a value of an unexpected shape: the task scores 0, with the reason
        return 0.0, [f"✗ the values your answer produced could not be checked "
                     f"({type(exc).__name__}: {exc}): 0 points"]
    points = min(max(round(float(points), 6), 0.0), float(check.points))
    return points, list(messages)


# ---------------------------------------------------------------- helpers for checks' scorers

def value_of(result: dict):
    """A ``call``/``get``/``attempt`` result's value; raises ``NotWritten`` or ``Failed``."""
    if "value" in result:
        return result["value"]
    if "missing" in result:
        raise Failed(f"{result['missing']} is not defined: run its answer cell")
    error = str(result.get("raised", "no value"))
    if error.startswith(NOT_WRITTEN):
        raise NotWritten(error)
    raise Failed(f"raised {error}")


class Failed(Exception):
    """A learner function raised or a name is missing (the message says which)."""


class NotWritten(Failed):
    """The answer still raises ``NotImplementedError``."""


def is_obj(value) -> bool:
    """True for a value the kernel could only describe (not a plain JSON value)."""
    return isinstance(value, dict) and "__obj__" in value


UNSET = object()  # what ``returned`` gives when there is no value to score


def returned(result: dict, name: str, label: str, msgs: list):
    """The value a learner function returned, or ``UNSET`` with a message (in ``msgs``) saying
    why not: ``✗ {label}: {name} is not written yet`` or ``✗ {label}: {name} raised ...``."""
    try:
        return value_of(result)
    except NotWritten:
        msgs.append(f"✗ {label}: {name} is not written yet")
    except Failed as exc:
        msgs.append(f"✗ {label}: {name} {exc}")
    return UNSET


def text_is(value, want: str) -> bool:
    """The kernel's value equals the string ``want`` (a ``str`` or a numpy string)."""
    if isinstance(value, str):
        return value == want
    return is_obj(value) and value.get("__obj__") == "str_" and value.get("str") == want


def plain_dict(value) -> dict:
    """``value`` if it is a plain dict (not an object the kernel described), else ``{}``."""
    return value if isinstance(value, dict) and not is_obj(value) else {}


def as_float(value) -> float | None:
    """``float(value)`` as the kernel would compute it, or None if that fails."""
    if is_obj(value):
        return value.get("float")
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def as_text(value) -> str:
    """``str(value)`` as the kernel would compute it."""
    if is_obj(value):
        return str(value.get("str", value.get("repr", "")))
    if isinstance(value, str):
        return value
    return repr(value) if not isinstance(value, (list, dict)) else str(value)


def letter(value) -> str:
    """A choice answer, normalised: ``str(value).strip().upper()``."""
    return as_text(value).strip().upper()


def shown(value) -> str:
    """A value as the learner would see it in a message (its repr)."""
    return str(value.get("repr", value)) if is_obj(value) else repr(value)


def choices_check(grade_id: str, key: dict[str, tuple[str, str]], points_each: float = 1.0) -> Check:
    """A check of letter answers: ``key`` maps each variable to (right letter, why)."""
    evaluate = "return {name: get(name) for name in INPUTS['names']}\n"

    def score(values: dict, inputs: dict) -> tuple[float, list[str]]:
        msgs, total = [], 0.0
        for name, (right, why) in key.items():
            got = values.get(name, {})
            if "value" in got and letter(got["value"]) == right:
                total += points_each
            else:
                msgs.append(f"✗ {name}: {why}")
        return total, msgs

    return Check(grade_id, points_each * len(key), evaluate, score,
                 lambda rng: {"names": list(key)})


def forbidden_uses(check: Check, answers: dict[str, str]) -> list[str]:
    """Messages for every forbidden engine name an answer cell of ``check`` uses.

    ``answers`` maps answer-cell grade ids to their source. Comments and strings are ignored
    (Python's tokenizer); a name is found as a word (``capture.hour_prefix`` or a bare
    ``hour_prefix``). Code that builds the name at run time escapes this check; the integrity
    report flags ``getattr``/``importlib`` in answer cells for the instructor.
    """
    found = []
    for answer_id, names in check.forbid:
        words = _code_words(answers.get(answer_id, ""))
        for name in names:
            if name in words:
                found.append(f"✗ {answer_id} uses monitorlab's {name}, the function this task asks "
                             "you to write yourself: 0 points for this task")
    return found


def _code_words(source: str) -> set[str]:
    """The NAME tokens of ``source`` (comments and strings left out; bad syntax: every word)."""
    import io
    import re
    import tokenize

    try:
        return {tok.string for tok in tokenize.generate_tokens(io.StringIO(source).readline)
                if tok.type == tokenize.NAME}
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return set(re.findall(r"[A-Za-z_]\w*", source))
