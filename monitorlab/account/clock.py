"""Simulated UTC time.

Every timestamp the engine writes (capture ``inferenceTime``, S3 hour prefixes, CloudWatch
datapoints, monitoring windows) comes from a :class:`SimClock`, so a notebook can replay days of
endpoint traffic in seconds and get the same bytes every run.

The clock only moves forward: going back in time would let the endpoint write a capture record
into an hour that a monitoring execution has already read, which never happens on AWS.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

#: The course's default "now": a Monday at midnight UTC, so hour and day boundaries line up.
COURSE_EPOCH = datetime(2026, 1, 5, 0, 0, 0, tzinfo=timezone.utc)


def as_utc(moment: datetime | str) -> datetime:
    """Return ``moment`` as an aware UTC datetime.

    Accepts an aware datetime, a naive one (taken as UTC, as SageMaker's timestamps are) or an
    ISO-8601 string such as ``"2026-01-05T13:00:00Z"``.
    """
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    if not isinstance(moment, datetime):
        raise TypeError(f"expected a datetime or ISO-8601 string, got {type(moment).__name__}")
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def format_inference_time(moment: datetime) -> str:
    """Format a time as Data Capture's ``inferenceTime``: ``YYYY-MM-DDTHH:MM:SSZ`` (UTC, no fraction)."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def hour_floor(moment: datetime) -> datetime:
    """The start of the UTC hour that contains ``moment``."""
    return as_utc(moment).replace(minute=0, second=0, microsecond=0)


class SimClock:
    """A forward-only simulated UTC clock.

    >>> clock = SimClock("2026-01-05T00:00:00Z")
    >>> clock.advance(hours=6).isoformat()
    '2026-01-05T06:00:00+00:00'
    """

    def __init__(self, start: datetime | str = COURSE_EPOCH):
        self._now = as_utc(start)

    def now(self) -> datetime:
        """The current simulated time (aware, UTC)."""
        return self._now

    def advance(self, *, days: float = 0, hours: float = 0, minutes: float = 0,
                seconds: float = 0, milliseconds: float = 0) -> datetime:
        """Move the clock forward by the given amount and return the new time."""
        step = timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds,
                         milliseconds=milliseconds)
        if step < timedelta(0):
            raise ValueError(f"advance() takes a non-negative duration, got {step}; "
                             "the simulated clock only moves forward")
        self._now += step
        return self._now

    def advance_to(self, moment: datetime | str) -> datetime:
        """Jump forward to ``moment``; raises ``ValueError`` if it lies in the past."""
        target = as_utc(moment)
        if target < self._now:
            raise ValueError(f"cannot move the clock back from {self._now.isoformat()} to "
                             f"{target.isoformat()}; create a new SimClock to start over")
        self._now = target
        return self._now

    def __repr__(self) -> str:
        return f"SimClock({self._now.isoformat()!r})"
