"""Trusted checks per lab: ``grader/checks/<lab>.py`` defines ``CHECKS`` (see ``grader.trusted``).

These files hold the expected values and the points; they run only in the grading process and
are never visible inside the sandbox where learner code runs. Modules:

- ``lab00_orientation``: 6 test cells, 17 points.
- ``lab01_data_capture``: 6 test cells, 28 points.
- ``lab02_baselines``: 6 test cells, 27 points.
- ``lab03_drift``: 6 test cells, 29 points.
- ``lab04_model_quality``: 7 test cells, 36 points.
- ``lab05_pretraining_bias``: 8 test cells, 36 points.
- ``lab06_bias_drift``: 6 test cells, 25 points.
- ``lab07_attribution_drift``: 6 test cells, 26 points.
- ``lab08_retraining_deployment``: 6 test cells, 30 points.
- ``lab09_operations_cost``: 6 test cells, 28 points.
- ``lab10_security``: 7 test cells, 32 points.
"""
