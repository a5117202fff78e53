"""Monitoring: baselines (:mod:`.baseline`), data-quality checks (:mod:`.dataquality`), executions and
schedules (:mod:`.monitor`), ground truth (:mod:`.groundtruth`), the model-quality
(:mod:`.modelquality`), bias drift (:mod:`.biasdrift`) and feature-attribution (:mod:`.attribution`)
monitors, Clarify's files (:mod:`.clarify_files`). Builds on stats, account and serving."""
