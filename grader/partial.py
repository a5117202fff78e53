"""Partial credit in an autograder-test cell: check each part, say what is wrong, end with a score.

nbgrader (0.9.6, ``utils.determine_grade``) gives a test cell whose last expression is a number
that many points (at most the cell's points); a cell that raises or writes to stderr gets 0.
``Parts`` keeps the arithmetic and the messages tidy::

    from grader.partial import Parts
    parts = Parts()
    parts.check(lambda: mean([1, 2, 3]) == 2, 1, "mean([1, 2, 3]) should be 2: divide by len(xs)")
    ### BEGIN HIDDEN TESTS
    parts.check(lambda: mean([2, 4]) == 3, 1, "mean([2, 4]) should be 3")
    ### END HIDDEN TESTS
    parts.score()

Pass a callable (a ``lambda``) when the check calls learner code: if it raises, the part fails
with the error in its message, and the other parts are still checked. Messages go to stdout.

Like any code in the learner's kernel, this module could be patched by an answer cell; tests
that must resist that keep their arithmetic inline in the test cell.
"""


class Parts:
    """Points earned part by part in one test cell."""

    def __init__(self) -> None:
        self.earned = 0.0
        self.possible = 0.0

    def check(self, condition, points: float, message: str) -> bool:
        """Award ``points`` if ``condition`` (a bool, or a callable returning one) holds.

        Otherwise print ``✗ message`` (with the error, if the callable raised); return the result.
        """
        self.possible += points
        try:
            ok = bool(condition() if callable(condition) else condition)
        except Exception as exc:  # learner code failing is a failed part, not a crashed cell
            print(f"✗ {message} ({type(exc).__name__}: {exc})")
            return False
        if ok:
            self.earned += points
        else:
            print(f"✗ {message}")
        return ok

    def score(self) -> float:
        """The points earned (make this the cell's last expression)."""
        if self.possible and self.earned == self.possible:
            print(f"✓ all {self.possible:g} points")
        return round(self.earned, 6)
