"""Capture round trip: 10,000 invocations captured at 100 % and read back into a DataFrame.

Target (issue: foundation): <= 10 s in-process. Prints the phases and the ratio to the target.
Run: .venv/bin/python benchmarks/capture_roundtrip.py
"""

import time

from monitorlab.course import setup
from monitorlab.serving.scenarios import generate_traffic

TARGET_SECONDS = 10.0


def main() -> None:
    started = time.perf_counter()
    course = setup(sampling_percentage=100)
    traffic = generate_traffic("none", hours=50, requests_per_hour=200)
    ready = time.perf_counter()
    counts = course.endpoint.replay(traffic)
    replayed = time.perf_counter()
    window = course.read_window("2026-01-05T00:00:00Z", "2026-01-08T00:00:00Z")
    read = time.perf_counter()
    course.sandbox.stop()
    round_trip = read - ready
    print(f"setup (sandbox, account, endpoint, traffic): {ready - started:6.2f} s")
    print(f"replay {counts['invocations']} invocations, {counts['captured']} captured "
          f"in {counts['files']} files: {replayed - ready:6.2f} s")
    print(f"read back {len(window.frame)} rows: {read - replayed:6.2f} s")
    print(f"round trip: {round_trip:.2f} s; target {TARGET_SECONDS:.0f} s; "
          f"ratio {round_trip / TARGET_SECONDS:.2f} of the target")
    assert len(window.frame) == 10_000, "every captured record must come back"


if __name__ == "__main__":
    main()
