"""Maintenance: what happens after a monitor fires. Bias remedies for the training data
(:mod:`.remedies`, module 05); triggers, the retraining pipeline, the model registry and guarded
rollout arrive with module 08. Builds on monitoring, serving, account and stats."""
