"""Model quality at scale: merge 1,000,000 captured predictions with 1,000,000 labels and compute
every binary metric (values, curves, confusion matrix, and the 5-subsample standard deviations).

Target (issue: model quality with late labels): <= 3 s on one core. Prints the phases and the
ratio to the target. Run: .venv/bin/python benchmarks/modelquality.py

The frames are built as ``monitorlab.serving.capture.read_captures`` and ``read_ground_truth`` return them
(capture: prediction, eventId, inferenceId, inferenceTime and the 13 features; ground truth:
eventId, groundTruth as text, collectedAt, file, line). Half the captures carry an inferenceId,
the other half join on eventId; 1 % of the labels are late corrections (duplicates), 2 % of the
predictions have no label and about 1 % of the labels have no prediction (orphans). Building them
is not timed. For a strict one-core figure run it under ``taskset -c 0``.
"""

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_name] = "1"  # one core, before numpy is imported

import time  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from monitorlab import data, modelquality  # noqa: E402

TARGET_SECONDS = 3.0
N = 1_000_000


def build_frames(n: int = N, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    label = (rng.random(n) < 0.24).astype(np.int64)
    probability = np.clip(0.35 * label + 0.65 * rng.random(n), 0.0, 1.0)
    ids = pd.Series(np.arange(n)).map("{:07d}".format)
    event_ids = ("e-" + ids).to_numpy(dtype=object)
    inference_ids = np.where(np.arange(n) % 2 == 0, ("i-" + ids).to_numpy(dtype=object), None)
    start = pd.Timestamp("2026-01-05", tz="UTC")
    features = pd.DataFrame({c: np.full(n, 1.0) if c in data.NUMERIC_FEATURES else "x"
                             for c in data.FEATURES})
    captures = pd.concat([features, pd.DataFrame({
        "prediction": probability, "eventId": event_ids, "inferenceId": inference_ids,
        "inferenceTime": start + pd.to_timedelta(rng.integers(0, 86_400, n), unit="s")})], axis=1)
    keys = np.where(inference_ids == None, event_ids, inference_ids)  # noqa: E711
    labelled = rng.random(n) >= 0.02                      # 2 % of predictions never labelled
    truth_ids = keys[labelled]
    truth = label[labelled]
    duplicates = rng.choice(len(truth_ids), n // 100, replace=False)
    orphans = np.array([f"orphan-{i}" for i in range(n - len(truth_ids) - len(duplicates))], dtype=object)
    all_ids = np.concatenate([truth_ids, truth_ids[duplicates], orphans])
    all_labels = np.concatenate([truth, truth[duplicates], rng.integers(0, 2, len(orphans))])
    collected = start + pd.to_timedelta(np.sort(rng.integers(86_400, 4 * 86_400, len(all_ids))), unit="s")
    order = rng.permutation(len(all_ids))
    ground_truth = pd.DataFrame({"eventId": all_ids[order], "groundTruth": all_labels[order].astype(str),
                                 "collectedAt": collected[order], "file": "f.jsonl",
                                 "line": np.arange(len(all_ids))})
    return captures, ground_truth


def main() -> None:
    captures, ground_truth = build_frames()
    started = time.perf_counter()
    merged = modelquality.merge(captures, ground_truth)
    joined = time.perf_counter()
    statistics = modelquality.model_quality_statistics(merged.frame, "BinaryClassification")
    done = time.perf_counter()
    metrics = statistics["binary_classification_metrics"]
    total = done - started
    print(f"merge {len(captures):,} predictions with {len(ground_truth):,} labels: "
          f"{joined - started:5.2f} s  {merged.counts()}")
    print(f"every binary metric with 5-subsample SDs on {len(merged.frame):,} rows: "
          f"{done - joined:5.2f} s  (f1 {metrics['f1']['value']:.4f} +- "
          f"{metrics['f1']['standard_deviation']:.4f}, auc {metrics['auc']['value']:.4f})")
    print(f"total {total:.2f} s; target {TARGET_SECONDS:.0f} s; "
          f"ratio {total / TARGET_SECONDS:.2f} of the target")
    assert merged.duplicates == N // 100 and len(merged.frame) == len(captures) - merged.unmatched_predictions


if __name__ == "__main__":
    main()
