"""Pure statistics with no AWS in them: KLL sketches (:mod:`.kll`), drift distances
(:mod:`.drift`), Clarify's bias metrics (:mod:`.bias`), SHAP aggregation and NDCG (:mod:`.ranking`),
model-quality metrics (:mod:`.model_metrics`). Imports nothing from the rest of monitorlab."""
