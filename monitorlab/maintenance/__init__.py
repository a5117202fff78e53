"""Maintenance: what happens after a monitor fires. Bias remedies for the training data
(:mod:`.remedies`, module 05); for module 08: retraining triggers, the EventBridge rule and the
scheduled open-source check that replaces Model Monitor (:mod:`.triggers`), the retraining
pipeline (:mod:`.pipeline`), re-baselining the data-quality, bias and SHAP baselines for the
new model (:mod:`.rebaseline`), the model registry (:mod:`.registry`), and
production/shadow variants with blue/green canary and linear rollouts and automatic rollback
(:mod:`.rollout`). Builds on monitoring, serving, account and stats."""
