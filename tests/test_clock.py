from datetime import datetime, timezone

import pytest

from monitorlab.account.clock import SimClock, as_utc, format_inference_time, hour_floor


def test_clock_moves_forward_only():
    clock = SimClock("2026-01-05T00:00:00Z")
    assert clock.advance(hours=6, minutes=30).isoformat() == "2026-01-05T06:30:00+00:00"
    clock.advance_to("2026-01-06T00:00:00Z")
    with pytest.raises(ValueError, match="back"):
        clock.advance_to("2026-01-05T23:59:59Z")
    with pytest.raises(ValueError, match="non-negative"):
        clock.advance(hours=-1)


def test_inference_time_format_is_sagemakers():
    moment = datetime(2022, 4, 18, 0, 21, 48, 871000, tzinfo=timezone.utc)
    assert format_inference_time(moment) == "2022-04-18T00:21:48Z"
    assert hour_floor(moment) == datetime(2022, 4, 18, 0, tzinfo=timezone.utc)


def test_as_utc_treats_naive_times_as_utc_and_converts_offsets():
    assert as_utc(datetime(2026, 1, 5)).tzinfo == timezone.utc
    assert as_utc("2026-01-05T02:00:00+02:00") == datetime(2026, 1, 5, tzinfo=timezone.utc)
    with pytest.raises(TypeError):
        as_utc(12)
