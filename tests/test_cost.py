"""Inference options and the cost model: limits, serverless cold starts, the arithmetic, Spot,
Savings Plans, right-sizing, Cost Explorer by tag (seeded on moto) and budget alerts (engine)."""

import json

import numpy as np
import pandas as pd
import pytest

from monitorlab.account.sandbox import Sandbox
from monitorlab.operations import capacity, cost, options

PRICES = cost.load_prices()


def test_price_table_names_its_region_currency_and_sources():
    assert PRICES["region"] == "us-east-1" and PRICES["currency"] == "USD"
    assert "aws.amazon.com/sagemaker/pricing" in PRICES["sources"]["sagemaker"]
    assert cost.hourly(PRICES, "ml.m5.large") > 0
    with pytest.raises(ValueError, match="no training price for 'ml.inf1.xlarge'"):
        cost.hourly(PRICES, "ml.inf1.xlarge", "training")


def test_limits_refuse_what_each_option_cannot_take():
    assert options.limit_problems("real-time", 5, 30) == []
    assert options.limit_problems("real-time", 7, 30) == ["payload 7 MB > real-time's 6 MB"]
    assert options.limit_problems("serverless", 5, 90) == ["payload 5 MB > serverless's 4 MB",
                                                          "processing 90 s > serverless's 60 s"]
    assert options.limit_problems("async", 800, 1800) == []
    with pytest.raises(ValueError, match="MemorySizeInMB"):
        options.serverless_config(1500, 10)


def test_serverless_cold_starts_follow_idle_gaps_and_provisioned_concurrency_removes_them():
    rpm = np.r_[np.full(5, 600.0), np.zeros(20), np.full(5, 600.0)]       # 10 rps, 0.5 s each
    day = options.serverless_day(rpm, duration_ms=500, keep_warm_minutes=10)
    assert day["containers"].iloc[0] == 5 and day["cold_starts"].tolist()[:2] == [5, 0]
    assert day["cold_starts"].iloc[25] == 5                                # warm pool expired after 10 idle minutes
    warm = options.serverless_day(rpm, duration_ms=500, provisioned=5)
    assert warm["cold_starts"].sum() == 0
    throttled = options.serverless_day(np.full(3, 6000.0), duration_ms=500, max_concurrency=20)
    assert throttled["containers"].max() == 20 and throttled["throttled"].iloc[0] == 6000 * (1 - 20 / 50)


def test_cost_arithmetic():
    # 24 h of one ml.m5.large, and per million predictions at 1 M predictions
    day = cost.instance_cost(PRICES, "ml.m5.large", 24 * 60)
    assert day == pytest.approx(24 * PRICES["instance_hour"]["ml.m5.large"]["hosting"])
    assert cost.per_million(day, 2_000_000) == pytest.approx(day / 2)
    assert cost.serverless_cost({"serverless": {"per_gb_second": 2e-5, "data_processed_per_gb": 0.016,
                                                "provisioned_concurrency_per_gb_second": 5e-6}},
                                1000, 10) == pytest.approx(0.02 + 0.16)
    with pytest.raises(ValueError, match="predictions must be > 0"):
        cost.per_million(1.0, 0)


def test_spot_training_with_and_without_checkpoints():
    kwargs = dict(on_demand_hourly=1.0, spot_discount=0.7, restart_minutes=4)
    clean = cost.spot_training(120, [], checkpoint_every=None, **kwargs)
    assert clean["spot_cost"] == pytest.approx(0.6) and clean["saving"] == pytest.approx(0.7)
    kept = cost.spot_training(120, [100], checkpoint_every=15, **kwargs)
    assert kept["lost_minutes"] == 10 and kept["billed_minutes"] == 130 and kept["wall_minutes"] == 134
    lost = cost.spot_training(120, [100], checkpoint_every=None, **kwargs)
    assert lost["lost_minutes"] == 100 and lost["billed_minutes"] == 220
    assert lost["spot_cost"] > kept["spot_cost"]


def test_savings_plan_covers_commitment_over_one_minus_discount():
    usage = [1.0, 1.0, 3.0, 0.0]                     # on-demand $ per hour
    # commitment 0.7 at 30 % off covers 1.0 of on-demand usage each hour
    assert cost.savings_plan_cost(usage, 0.7, 0.3) == pytest.approx(4 * 0.7 + 2.0)


def test_right_size_picks_the_cheapest_fleet_under_the_target_load():
    table = cost.right_size(PRICES, capacity.PROFILES, peak_rps=30, target_cpu=0.7)
    first = table.iloc[0]
    assert first["load_at_peak"] <= 0.7 and table["monthly_cost"].is_monotonic_increasing
    m5 = table.set_index("instance_type").loc["ml.m5.large"]
    assert m5["instances"] == 2 and m5["load_at_peak"] == pytest.approx(30 / 50)


def test_cost_explorer_by_tag_is_seeded_through_motos_api_and_budgets_alert_to_sqs():
    box = Sandbox().start()
    try:
        frame = pd.DataFrame({"day": ["2026-01-05", "2026-01-05", "2026-01-06"],
                              "tag": ["fraud", "churn", "fraud"], "cost": [12.5, 3.0, 10.0]})
        cost.seed_cost_explorer(cost.cost_by_tag_results(frame, "team"))
        response = box.client("ce").get_cost_and_usage(
            TimePeriod={"Start": "2026-01-05", "End": "2026-01-07"}, Granularity="DAILY",
            Metrics=["UnblendedCost"], GroupBy=[{"Type": "TAG", "Key": "team"}])
        assert response["ResultsByTime"][0]["Groups"][0]["Keys"] == ["team$churn"]
        assert cost.tag_totals(response) == {"churn": 3.0, "fraud": 22.5}
        budgets, sqs = box.client("budgets"), box.client("sqs")
        queue = sqs.create_queue(QueueName="budget-alerts")["QueueUrl"]
        budgets.create_budget(AccountId="123456789012", Budget={
            "BudgetName": "ml", "BudgetLimit": {"Amount": "100", "Unit": "USD"}, "TimeUnit": "MONTHLY",
            "BudgetType": "COST"}, NotificationsWithSubscribers=[
            {"Notification": {"NotificationType": t, "ComparisonOperator": "GREATER_THAN", "Threshold": th,
                              "ThresholdType": "PERCENTAGE"},
             "Subscribers": [{"SubscriptionType": "EMAIL", "Address": "ml-team@example.com"}]}
            for t, th in (("ACTUAL", 80.0), ("FORECASTED", 100.0))])
        assert cost.evaluate_budget(budgets, sqs, queue, "123456789012", "ml", actual=79.0, forecast=99.0) == []
        sent = cost.evaluate_budget(budgets, sqs, queue, "123456789012", "ml", actual=85.0, forecast=120.0)
        assert [a["notificationType"] for a in sent] == ["ACTUAL", "FORECASTED"]
        bodies = [json.loads(m["Body"]) for m in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]]
        assert {b["spend"] for b in bodies} == {85.0, 120.0}
    finally:
        box.stop()
