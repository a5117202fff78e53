"""MonitorLab: the engine behind an offline course on monitoring ML systems on AWS.

The folders are the course's layers; imports only point down (``tests/test_layers.py``):

    course.py     one-call lesson set-up (glue: nothing imports it)
    security/     IAM evaluation, KMS, network reachability, audit          (module 10)
    operations/   capacity, latency, autoscaling, inference options, cost   (module 09)
    maintenance/  bias remedies, triggers, retraining, registry, rollout    (modules 05, 08)
    monitoring/   baselines, the four monitors, Clarify files, ground truth (modules 02-07)
    serving/      datasets, model, endpoint with Data Capture, traffic      (modules 00-01)
    account/      moto sandbox and guard, clock, CloudWatch, alarms         (every module)
    stats/        pure statistics, no AWS: KLL, drift, bias, NDCG, metrics  (modules 02-07)

Every AWS call goes to moto (:mod:`monitorlab.account.sandbox`); what moto only stores, the engine
does itself, visibly, and the lesson says so. See ``monitorlab/README.md``.
"""

__version__ = "0.1.0"
