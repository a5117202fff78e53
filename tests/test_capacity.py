"""The capacity model: latency, utilisation and errors respond to load, payload and model cost."""

import numpy as np
import pytest

from monitorlab.operations import capacity as cap

M5 = cap.profile("ml.m5.large")


def test_light_load_is_service_time_and_cpu_is_summed_over_vcpus():
    minute = cap.serve_minute(60 * 5, 1, M5, cap.Workload())       # 5 rps of 25
    assert minute.load == pytest.approx(0.2)
    assert minute.model_latency_us == pytest.approx(8000 / 0.8)     # service x 1/(1-load)
    assert minute.cpu == pytest.approx(2 * 100 * (0.03 + 0.97 * 0.2))
    assert minute.errors_5xx == 0 and minute.backlog == 0


def test_only_the_payload_moves_overhead_latency():
    small = cap.serve_minute(600, 1, M5, cap.Workload(payload_kb=1))
    large = cap.serve_minute(600, 1, M5, cap.Workload(payload_kb=500))
    assert large.overhead_latency_us == pytest.approx((2.5 + 0.04 * 500) * 1000)
    assert large.model_latency_us == small.model_latency_us


def test_a_slower_model_moves_model_latency_and_cpu_not_overhead():
    base = cap.serve_minute(600, 1, M5, cap.Workload())
    slow = cap.serve_minute(600, 1, M5, cap.Workload(model_cost=2.0))
    assert slow.model_latency_us > 2 * base.model_latency_us and slow.cpu > base.cpu
    assert slow.overhead_latency_us == base.overhead_latency_us


def test_past_capacity_requests_queue_then_fail_and_the_backlog_carries_over():
    first = cap.serve_minute(60 * 40, 1, M5, cap.Workload())        # 40 rps on 25 rps of capacity
    assert first.backlog == pytest.approx(25 * 20)                    # the queue holds 20 s of work
    assert first.errors_5xx == round(60 * 15 - 25 * 20)
    second = cap.serve_minute(0, 1, M5, cap.Workload(), backlog=first.backlog)
    assert second.backlog == 0 and second.invocations == 0
    assert cap.serve_minute(100, 0, M5, cap.Workload()).errors_5xx == 100


def test_simulate_load_is_seeded_and_publishes_aws_metric_names():
    traffic = cap.spike_day(seed=3)[:120]
    a = cap.simulate_load(traffic, 2, seed=5)
    b = cap.simulate_load(traffic, 2, seed=5)
    assert a.equals(b) and len(a) == 120 and str(a.index.tz) == "UTC"
    datums = cap.metric_datums(a, "e")
    names = {ns: {d["MetricName"] for d in ds} for ns, ds in datums.items()}
    assert names["AWS/SageMaker"] == {"Invocations", "InvocationsPerInstance", "Invocation5XXErrors",
                                      "ModelLatency", "OverheadLatency"}
    assert names["/aws/sagemaker/Endpoints"] == {"CPUUtilization", "MemoryUtilization", "DiskUtilization"}
    assert {d["Unit"] for d in datums["AWS/SageMaker"] if d["MetricName"] == "ModelLatency"} == {"Microseconds"}


def test_spike_day_has_the_spike_where_asked():
    rpm = cap.spike_day(base_rps=5, peak_rps=50, spike_start_hour=10, spike_hours=1, seed=0)
    assert len(rpm) == 1440
    assert np.mean(rpm[600:660]) == pytest.approx(3000, rel=0.05) and np.mean(rpm[:60]) < 400


def test_bad_input_names_the_field():
    with pytest.raises(ValueError, match="instance_type 'ml.x'"):
        cap.profile("ml.x")
    with pytest.raises(ValueError, match="payload_kb"):
        cap.Workload(payload_kb=0)
