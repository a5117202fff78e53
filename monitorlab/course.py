"""One call to set up what most lessons start from: the account, an endpoint with Data Capture.

>>> course = setup()                    # sandbox + account + deployed endpoint + clock
>>> course.endpoint.replay(generate_traffic("covariate_shift"))
>>> window = course.read_window("2026-01-05T00:00:00Z", "2026-01-05T01:00:00Z")

Lessons that teach a step (creating the bucket, writing the capture config) do it by hand
instead; this is for the lessons that build on those steps.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitorlab.serving.capture import CaptureWindow, read_captures
from monitorlab.account.clock import COURSE_EPOCH, SimClock
from monitorlab.serving.endpoint import LocalEndpoint, create_endpoint, data_capture_config
from monitorlab.account.sandbox import Account, Sandbox

ENDPOINT_NAME = "adult-income"


@dataclass
class Course:
    """The running course environment a lesson works in."""

    sandbox: Sandbox
    account: Account
    clock: SimClock
    endpoint: LocalEndpoint
    capture_uri: str

    def client(self, service: str):
        return self.sandbox.client(service)

    def read_window(self, start, end) -> CaptureWindow:
        """The captured rows with ``start <= inferenceTime < end``."""
        return read_captures(self.client("s3"), self.capture_uri, self.endpoint.endpoint_name,
                             start, end, variant=self.endpoint.variant_name)


def setup(*, sampling_percentage: int = 100, endpoint_name: str = ENDPOINT_NAME,
          start=COURSE_EPOCH, seed: int = 0, sandbox: Sandbox | None = None) -> Course:
    """Start (or reuse) a sandbox, bootstrap the account, deploy the course model with capture."""
    sandbox = sandbox if sandbox is not None and sandbox.running else Sandbox().start()
    account = sandbox.bootstrap()
    capture_uri = f"s3://{account.bucket}/datacapture"
    config = data_capture_config(capture_uri, sampling_percentage=sampling_percentage,
                                 kms_key_id=account.kms_key_arn)
    create_endpoint(sandbox, account, endpoint_name, capture_config=config)
    clock = SimClock(start)
    endpoint = LocalEndpoint.from_sandbox(sandbox, endpoint_name, clock=clock, seed=seed)
    return Course(sandbox=sandbox, account=account, clock=clock, endpoint=endpoint,
                  capture_uri=capture_uri)


def quick_check(answer, right: str, why: dict[str, str]) -> None:
    """Ungraded quick check in a lecture: print at once whether ``answer`` is ``right``, and why.

    ``why`` maps every option letter to its explanation; ``answer`` is the learner's letter (any
    case) or ``None`` while unanswered. Nothing is recorded or graded (lectures carry no nbgrader
    metadata). Returns None, so a notebook cell shows the feedback and nothing else.
    """
    options = ", ".join(sorted(why))
    if right not in why:
        raise ValueError(f"right={right!r} is not one of the options ({options}); add it to why")
    if answer is None:
        print(f"Not answered yet: set answer to one of {options} and run this cell again.")
        return
    letter = str(answer).strip().lower()
    if letter not in why:
        print(f"{answer!r} is not an option: choose one of {options}.")
        return
    verdict = "Right." if letter == right else "Not quite."
    print(f"{verdict} {why[letter]}")
