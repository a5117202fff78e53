"""How a grading run reports as it goes: a progress bar on a terminal, one line per submission in a log.

On a terminal (``stream.isatty()``): a tqdm bar with counts, rate and time left, shown once the run
has lasted ``BAR_DELAY`` seconds (short runs stay quiet); only submissions with an error or a note
are printed above it. Elsewhere (CI, ``> log.txt``, a batch job): one line per graded submission::

    [12/200] alice lab01_data_capture: 28/28 (14.2 s) | 0.52/s, ~6 min left

Rate and time left are measured on this run (``done / elapsed`` and ``(total - done) / rate``).
"""

import sys
import time

from tqdm import tqdm

from grader.results import SubmissionResult

BAR_DELAY = 2.0


class Progress:
    """Progress of one grading run; ``progress(text)`` prints a note."""

    def __init__(self, write=print, *, terminal: bool = False, stream=None):
        self.write, self.terminal, self.stream = write, terminal, stream
        self.bar, self.total, self.done, self.started = None, 0, 0, time.monotonic()

    @classmethod
    def for_stream(cls, stream=None) -> "Progress":
        """A bar if ``stream`` (default stdout) is a terminal, else one line per submission."""
        stream = stream or sys.stdout
        return cls(lambda text: print(text, file=stream, flush=True),
                   terminal=stream.isatty(), stream=stream)

    def __call__(self, text: str) -> None:
        """A note (a warning, a stage): above the bar, or a line of the log."""
        if self.bar is not None:
            self.bar.write(text, file=self.stream)
        else:
            self.write(text)

    def start(self, total: int, reused: int = 0) -> None:
        """The run grades ``total`` submissions; ``reused`` more come from the results store."""
        self.total, self.done, self.started = total, 0, time.monotonic()
        if reused:
            self(f"{reused} submission(s) unchanged since a previous run: grades reused from "
                 "the results store (--regrade grades them again)")
        if self.terminal and total:
            self.bar = tqdm(total=total, unit="sub", delay=BAR_DELAY, file=self.stream,
                            dynamic_ncols=True, smoothing=0.1)

    def graded(self, result: SubmissionResult) -> None:
        """One submission is graded."""
        self.done += 1
        line = progress_line(result, self.done, self.total)
        if self.bar is None:
            self.write(line + self._pace())
            return
        if result.error or result.notes:
            self.bar.write(line, file=self.stream)
        self.bar.update(1)

    def close(self) -> None:
        """The run is over (removes the bar)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def _pace(self) -> str:
        """`` | rate/s, ~time left`` for a log line (empty on the last line)."""
        elapsed = time.monotonic() - self.started
        if self.done >= self.total or elapsed <= 0:
            return ""
        rate = self.done / elapsed
        left = (self.total - self.done) / rate
        return f" | {rate:.2f}/s, ~{_duration(left)} left"


def as_progress(progress) -> Progress:
    """A ``Progress`` from None (silent), a callable taking one line (``print``), or a Progress."""
    if isinstance(progress, Progress):
        return progress
    return Progress(progress or (lambda text: None))


def progress_line(result: SubmissionResult, done: int, total: int) -> str:
    """One line about a graded submission."""
    status = f"ERROR: {result.error}" if result.error else f"{result.score:g}/{result.max_score:g}"
    return f"[{done}/{total}] {result.student} {result.lab}: {status} ({result.seconds:.1f} s)"


def _duration(seconds: float) -> str:
    """``42 s``, ``6 min``, ``2.5 h``."""
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
