"""What it costs: the shipped price table, cost per option, Spot, Savings Plans, right-sizing,
Cost Explorer by tag and budget alerts.

Prices live in ``data/sagemaker_prices.json`` (region, currency, sources and how to refresh them
in the file and in ``data/DATA.md``); prices change, so nothing here hard-codes one.

moto's part and the engine's (MOTO.md): Cost Explorer returns only results seeded through
``POST /moto-api/static/ce/cost-and-usage-results`` (:func:`seed_cost_explorer`); Budgets stores a
budget and its notifications but its spend is always 0 and it never alerts, so
:func:`evaluate_budget` compares the spend you give it with each notification's threshold and
delivers the alert to an SQS queue itself.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import requests

PRICES_FILE = Path(__file__).resolve().parents[2] / "data" / "sagemaker_prices.json"
SECONDS_PER_MONTH = 730 * 3600    # AWS's pricing pages use 730 hours a month


def load_prices(path: Path | str = PRICES_FILE) -> dict:
    """The price table, checked for the keys the engine reads."""
    prices = json.loads(Path(path).read_text())
    for key in ("region", "currency", "instance_hour", "serverless", "discounts"):
        if key not in prices:
            raise ValueError(f"price table {path} lacks {key!r}; see data/DATA.md for its layout")
    return prices


def hourly(prices: dict, instance_type: str, use: str = "hosting") -> float:
    """On-demand price per instance-hour of ``instance_type`` for ``use`` (hosting or training)."""
    entry = prices["instance_hour"].get(instance_type)
    if entry is None or entry.get(use) is None:
        raise ValueError(f"no {use} price for {instance_type!r}; priced: "
                         f"{sorted(k for k, v in prices['instance_hour'].items() if v.get(use))}")
    return float(entry[use])


def instance_cost(prices: dict, instance_type: str, instance_minutes: float, use: str = "hosting") -> float:
    """``instance_minutes / 60 x hourly price`` (SageMaker bills per second; minutes suffice here)."""
    return instance_minutes / 60.0 * hourly(prices, instance_type, use)


def serverless_cost(prices: dict, gb_seconds: float, data_gb: float = 0.0, *, provisioned_gb_seconds: float = 0.0) -> float:
    """``gb_seconds x per_gb_second + data_gb x data_processed_per_gb`` (+ provisioned concurrency held)."""
    table = prices["serverless"]
    return (gb_seconds * table["per_gb_second"] + data_gb * table["data_processed_per_gb"]
            + provisioned_gb_seconds * table["provisioned_concurrency_per_gb_second"])


def per_million(cost: float, predictions: float) -> float:
    """Cost per million predictions: ``cost / predictions x 1e6``."""
    if predictions <= 0:
        raise ValueError("predictions must be > 0 to price them per million")
    return cost / predictions * 1e6


def spot_training(job_minutes: float, interruptions_at: list[float], *, checkpoint_every: float | None,
                  on_demand_hourly: float, spot_discount: float = 0.7, restart_minutes: float = 4.0) -> dict:
    """Managed Spot Training against on-demand, with interruptions on the simulated clock.

    ``interruptions_at`` are minutes of wall-clock time since the start. At an interruption (after
    the 2-minute notice) the work since the last checkpoint is lost (all of it without
    checkpointing), and the job waits ``restart_minutes`` for capacity. Billed minutes are the
    minutes the instance ran; spot bills them at ``(1 - spot_discount)`` of on-demand.
    """
    if not 0 <= spot_discount < 1:
        raise ValueError("spot_discount must be in [0, 1): e.g. 0.7 for 70 % off")
    done, clock, billed, lost = 0.0, 0.0, 0.0, 0.0
    for moment in sorted(interruptions_at):
        if moment <= clock:
            continue
        run = moment - clock
        if done + run >= job_minutes:
            break
        progress = done + run
        kept = (math.floor(progress / checkpoint_every) * checkpoint_every) if checkpoint_every else 0.0
        billed += run
        lost += progress - kept
        done, clock = kept, moment + restart_minutes
    billed += job_minutes - done
    wall = clock + (job_minutes - done)
    on_demand = job_minutes / 60 * on_demand_hourly
    spot = billed / 60 * on_demand_hourly * (1 - spot_discount)
    return {"on_demand_cost": on_demand, "spot_cost": spot, "billed_minutes": billed,
            "wall_minutes": wall, "lost_minutes": lost, "saving": 1 - spot / on_demand}


def savings_plan_cost(hourly_on_demand, commitment_per_hour: float, discount: float) -> float:
    """Total with a Savings Plan: the commitment every hour, plus on-demand for usage it does not cover.

    An hour's commitment covers ``commitment / (1 - discount)`` of on-demand usage; usage beyond
    that is paid at on-demand; unused commitment is lost.
    """
    usage = np.asarray(hourly_on_demand, dtype=float)
    covered = commitment_per_hour / (1 - discount)
    return float(np.sum(commitment_per_hour + np.maximum(0.0, usage - covered)))


def right_size(prices: dict, profiles: dict, peak_rps: float, *, target_cpu: float = 0.7,
               max_instances: int = 10) -> pd.DataFrame:
    """For each priced instance type with a capacity profile: instances needed to serve
    ``peak_rps`` at ``<= target_cpu`` load, and the monthly cost; cheapest first."""
    rows = []
    for name, prof in profiles.items():
        price = prices["instance_hour"].get(name, {}).get("hosting")
        if price is None:
            continue
        count = max(1, math.ceil(peak_rps / (prof.rps * target_cpu)))
        if count <= max_instances:
            rows.append({"instance_type": name, "instances": count, "load_at_peak": peak_rps / (count * prof.rps),
                         "monthly_cost": count * price * 730})
    return pd.DataFrame(rows).sort_values(["monthly_cost", "instance_type"]).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Cost Explorer (seeded) and Budgets (evaluated by the engine)
# --------------------------------------------------------------------------------------------

def cost_by_tag_results(frame: pd.DataFrame, tag_key: str, metric: str = "UnblendedCost") -> dict:
    """Cost Explorer's ``GetCostAndUsage`` response body for daily cost grouped by a tag.

    ``frame`` has columns ``day`` (YYYY-MM-DD), ``tag`` (the tag's value) and ``cost`` (USD).
    Group keys are ``<key>$<value>``, as Cost Explorer writes them.
    """
    missing = {"day", "tag", "cost"} - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks columns {sorted(missing)}; give day, tag and cost")
    results = []
    for day, group in frame.groupby("day", sort=True):
        end = (pd.Timestamp(day) + pd.Timedelta(days=1)).strftime("%Y-%m-%d")
        results.append({"TimePeriod": {"Start": day, "End": end}, "Total": {}, "Estimated": False,
                        "Groups": [{"Keys": [f"{tag_key}${value}"],
                                    "Metrics": {metric: {"Amount": f"{cost:.10g}", "Unit": "USD"}}}
                                   for value, cost in group.groupby("tag", sort=True)["cost"].sum().items()]})
    return {"GroupDefinitions": [{"Type": "TAG", "Key": tag_key}], "ResultsByTime": results,
            "DimensionValueAttributes": []}


def seed_cost_explorer(body: dict, base_url: str | None = None) -> None:
    """Queue ``body`` as the next ``GetCostAndUsage`` answer (moto's static-results API)."""
    base = base_url or "http://motoapi.amazonaws.com"
    requests.post(f"{base}/moto-api/static/ce/cost-and-usage-results", json={"results": [body]},
                  timeout=10).raise_for_status()


def tag_totals(response: dict, metric: str = "UnblendedCost") -> dict[str, float]:
    """``{tag value: total}`` over a ``get_cost_and_usage`` response grouped by one tag."""
    totals: dict[str, float] = {}
    for period in response["ResultsByTime"]:
        for group in period["Groups"]:
            value = group["Keys"][0].split("$", 1)[-1] or "(untagged)"
            totals[value] = totals.get(value, 0.0) + float(group["Metrics"][metric]["Amount"])
    return totals


def evaluate_budget(budgets, sqs, queue_url: str, account_id: str, budget_name: str, *,
                    actual: float, forecast: float | None = None) -> list[dict]:
    """Compare spend with each of the budget's notifications (read from moto) and send an alert
    to ``queue_url`` for each one crossed; returns the alerts sent.

    A notification fires when ``spend > threshold`` (``GREATER_THAN``; ``EQUAL_TO`` and
    ``LESS_THAN`` as named), where spend is ``actual`` for ``ACTUAL`` notifications and
    ``forecast`` for ``FORECASTED`` ones, and a ``PERCENTAGE`` threshold is a share of the limit.
    """
    budget = budgets.describe_budget(AccountId=account_id, BudgetName=budget_name)["Budget"]
    limit = float(budget["BudgetLimit"]["Amount"])
    notes = budgets.describe_notifications_for_budget(AccountId=account_id, BudgetName=budget_name)["Notifications"]
    sent = []
    for note in notes:
        spend = actual if note["NotificationType"] == "ACTUAL" else forecast
        if spend is None:
            continue
        threshold = float(note["Threshold"])
        if note.get("ThresholdType", "PERCENTAGE") == "PERCENTAGE":
            threshold = limit * threshold / 100
        compare = {"GREATER_THAN": spend > threshold, "LESS_THAN": spend < threshold,
                   "EQUAL_TO": math.isclose(spend, threshold)}[note["ComparisonOperator"]]
        if compare:
            alert = {"budgetName": budget_name, "notificationType": note["NotificationType"],
                     "threshold": float(note["Threshold"]), "thresholdType": note.get("ThresholdType", "PERCENTAGE"),
                     "budgetLimit": limit, "spend": round(float(spend), 2), "unit": budget["BudgetLimit"]["Unit"],
                     "message": f"AWS Budget Notification: your {note['NotificationType'].lower()} spend "
                                f"{spend:.2f} {budget['BudgetLimit']['Unit']} for budget '{budget_name}' is above "
                                f"{threshold:.2f} ({note['Threshold']:g}{'%' if note.get('ThresholdType', 'PERCENTAGE') == 'PERCENTAGE' else ''} of {limit:g})"}
            sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps(alert))
            sent.append(alert)
    return sent
