"""Model-quality metrics with no AWS in them: the numbers Model Monitor's analysis job writes.

Binary classification (confusion matrix, recall, precision, accuracy, TPR/TNR/FPR/FNR, AUC,
F0.5/F1/F2, ROC and precision-recall curves), multiclass (accuracy, weighted and per-class F
scores) and regression (MAE, MSE, RMSE, R2), plus the standard deviations Model Monitor reports
from five random 80 % subsamples. The definitions follow the AWS developer guide page
"model-monitor-model-quality-metrics"; its published examples are reproduced to the last digit in
``tests/test_modelquality.py``. The monitor that reads captures and labels and writes
``statistics.json`` is :mod:`monitorlab.monitoring.modelquality`.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

#: Standard deviation: 5 random 80 % subsamples, only with at least 200 rows (DG
#: model-monitor-model-quality-metrics).
SD_MIN_ROWS, SD_SAMPLES, SD_FRACTION = 200, 5, 0.8
#: Our cap on the points of each curve in statistics.json [U]; AUC uses the full curve.
CURVE_POINTS = 1001
BETAS = {"f0_5": 0.5, "f1": 1.0, "f2": 2.0}


# --------------------------------------------------------------------------------------------
# Metrics
# --------------------------------------------------------------------------------------------

def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, 0.0 when the denominator is 0 (scikit-learn's
    ``zero_division=0``)."""
    return float(numerator) / float(denominator) if denominator else 0.0


def _f_beta(precision, recall, beta: float):
    """F_beta = (1 + b^2) P R / (b^2 P + R), 0 when P + R = 0: Spark MLlib's ``fMeasure`` form,
    which reproduces the DG example values to the last digit (scikit-learn's TP form agrees to
    ~1e-16). Works on scalars and per-class arrays."""
    p, r = np.asarray(precision, dtype="float64"), np.asarray(recall, dtype="float64")
    b2 = beta * beta
    bottom = b2 * p + r
    return np.divide((1 + b2) * p * r, bottom, out=np.zeros_like(bottom), where=(p + r) > 0)


def binary_labels(probability: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """1 where ``probability > threshold`` (strictly greater: the EndpointInput
    ``ProbabilityThresholdAttribute`` rule, "probability greater than" the threshold), else 0."""
    return (np.asarray(probability, dtype="float64") > threshold).astype(np.int64)


def _check_binary_truth(y: np.ndarray) -> np.ndarray:
    bad = ~np.isin(y, (0.0, 1.0))
    if bad.any():
        raise ValueError(f"BinaryClassification ground truth must be 0 or 1; got "
                         f"{sorted(set(np.unique(y[bad]).tolist()))[:5]}. Map the labels to 0/1 "
                         "before uploading, or use MulticlassClassification")
    return y.astype(np.int64)


def binary_counts(y: np.ndarray, predicted: np.ndarray) -> tuple[int, int, int, int]:
    """(TN, FP, FN, TP) in one ``bincount`` over ``2 * truth + predicted``."""
    tn, fp, fn, tp = np.bincount(2 * y + predicted, minlength=4)[:4]
    return int(tn), int(fp), int(fn), int(tp)


def _binary_count_metrics(tn, fp, fn, tp) -> dict[str, float]:
    """Every binary metric that depends only on the confusion matrix."""
    n = tn + fp + fn + tp
    values = {"recall": _ratio(tp, tp + fn), "precision": _ratio(tp, tp + fp),
              "accuracy": _ratio(tp + tn, n)}
    values.update({name: float(_f_beta(values["precision"], values["recall"], beta))
                   for name, beta in BETAS.items()})
    return values


def _binary_scalars(y, probability, threshold, roc=None, auc=None) -> dict[str, float]:
    """Scalar binary metrics of one sample (for the value and for each SD subsample); ``roc`` or
    ``auc`` when already computed."""
    tn, fp, fn, tp = binary_counts(y, binary_labels(probability, threshold))
    values = _binary_count_metrics(tn, fp, fn, tp)
    # TNR = 1 - FPR and FNR = 1 - TPR, as the DG example's true_negative_rate 0.33333333333333337
    # (= 1 - 0.6666666666666666, not 1/3) shows; 0.0 when the class is absent.
    tpr, fpr = _ratio(tp, tp + fn), _ratio(fp, tn + fp)
    values.update({"true_positive_rate": tpr, "false_positive_rate": fpr,
                   "true_negative_rate": 1.0 - fpr if tn + fp else 0.0,
                   "false_negative_rate": 1.0 - tpr if tp + fn else 0.0})
    if auc is not None:
        values["auc"] = auc
    elif tp + fn == 0 or tn + fp == 0:
        values["auc"] = float("nan")  # AUC is undefined with one class
    else:
        curve_fpr, curve_tpr, _ = roc if roc is not None else skm.roc_curve(y, probability)
        values["auc"] = float(skm.auc(curve_fpr, curve_tpr))
    # Best constant classifier: always predict the positive class 1 [U: derived from the DG
    # example, whose accuracy_best_constant_classifier 0.25 with 1 positive in 4 rules out the
    # majority class].
    positives, negatives = tp + fn, tn + fp
    constant = _binary_count_metrics(0, negatives, 0, positives)
    values.update({f"{name}_best_constant_classifier": constant[name]
                   for name in ("recall", "precision", "accuracy", *BETAS)})
    return values


BINARY_ORDER = ("confusion_matrix", "recall", "precision", "accuracy",
                "recall_best_constant_classifier", "precision_best_constant_classifier",
                "accuracy_best_constant_classifier", "true_positive_rate", "true_negative_rate",
                "false_positive_rate", "false_negative_rate",
                "receiver_operating_characteristic_curve", "precision_recall_curve", "auc",
                "f0_5", "f1", "f2", "f0_5_best_constant_classifier", "f1_best_constant_classifier",
                "f2_best_constant_classifier")


def binary_metrics(y_true, probability, threshold: float = 0.5) -> dict:
    """Every binary metric of Model Monitor, as plain values (no standard deviations).

    The order and names follow the DG example (model-monitor-model-quality-metrics).
    ``confusion_matrix`` is ``{actual: {predicted: count}}`` with keys ``"0"``/``"1"`` (the DG
    example's precision 1/3 and recall 1.0 fix the orientation: the outer key is the label).
    Curves come from scikit-learn's ``roc_curve`` and ``precision_recall_curve``; the PR curve is
    listed by increasing recall, as in the DG example, and each curve is thinned to at most
    :data:`CURVE_POINTS` evenly spaced points (ours [U]). With a single class in the labels AUC is
    NaN and the curves are empty.
    """
    y = _check_binary_truth(np.asarray(y_true, dtype="float64"))
    probability = np.asarray(probability, dtype="float64")
    both_classes = 0 < y.sum() < len(y)
    roc = skm.roc_curve(y, probability) if both_classes else None
    values = _binary_scalars(y, probability, threshold, roc)
    tn, fp, fn, tp = binary_counts(y, binary_labels(probability, threshold))
    values["confusion_matrix"] = {"0": {"0": tn, "1": fp}, "1": {"0": fn, "1": tp}}
    values["receiver_operating_characteristic_curve"] = _roc_curve_dict(roc)
    values["precision_recall_curve"] = _pr_curve_dict(y, probability, both_classes)
    return {name: values[name] for name in BINARY_ORDER}


def _thin(*arrays: np.ndarray) -> list[list[float]]:
    size = len(arrays[0])
    if size > CURVE_POINTS:
        index = np.unique(np.linspace(0, size - 1, CURVE_POINTS).round().astype(np.int64))
        arrays = tuple(a[index] for a in arrays)
    return [a.astype("float64").tolist() for a in arrays]


def _roc_curve_dict(roc) -> dict:
    if roc is None:
        return {"false_positive_rates": [], "true_positive_rates": []}
    fpr, tpr = _thin(roc[0], roc[1])
    return {"false_positive_rates": fpr, "true_positive_rates": tpr}


def _pr_curve_dict(y, probability, both_classes: bool) -> dict:
    if not both_classes:
        return {"precisions": [], "recalls": []}
    precision, recall, _ = skm.precision_recall_curve(y, probability, drop_intermediate=True)
    precisions, recalls = _thin(precision[::-1], recall[::-1])
    return {"precisions": precisions, "recalls": recalls}


def _class_codes(y: np.ndarray, predicted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    classes, codes = np.unique(np.concatenate([y, predicted]), return_inverse=True)
    return classes, codes[:len(y)], codes[len(y):]


def _multiclass_scalars(y_codes, predicted_codes, k: int) -> dict[str, float]:
    """accuracy and support-weighted recall, precision and F-betas from one K x K ``bincount``
    (scikit-learn's ``average="weighted"``, ``zero_division=0``)."""
    matrix = np.bincount(y_codes * k + predicted_codes, minlength=k * k).reshape(k, k)
    tp = np.diag(matrix).astype("float64")
    support, predicted = matrix.sum(axis=1), matrix.sum(axis=0)
    n = support.sum()

    def weighted(per_class):  # Spark MLlib: sum over classes of metric * count / n
        return float(np.sum(per_class * support / n))
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    values = {"accuracy": float(tp.sum() / n), "weighted_recall": weighted(recall),
              "weighted_precision": weighted(precision)}
    for name, beta in BETAS.items():
        values[f"weighted_{name}"] = weighted(_f_beta(precision, recall, beta))
    return values


def _multiclass_all(y_codes, predicted_codes, k: int) -> dict[str, float]:
    values = _multiclass_scalars(y_codes, predicted_codes, k)
    # Best constant classifier: always predict the largest class label [U: the DG example (labels
    # 0/1) is consistent with "largest label" and with "least frequent"; for binary it is class 1].
    constant = _multiclass_scalars(y_codes, np.full_like(y_codes, k - 1), k)
    values.update({f"{name}_best_constant_classifier": v for name, v in constant.items()})
    return values


def _label_key(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def multiclass_metrics(y_true, y_predicted) -> dict:
    """Model Monitor's multiclass metrics (DG example order), plus its ``confusion_matrix``
    ``{actual: {predicted: count}}`` over every class seen in the labels or the predictions."""
    y = np.asarray(y_true, dtype="float64")
    classes, y_codes, p_codes = _class_codes(y, np.asarray(y_predicted, dtype="float64"))
    k = len(classes)
    matrix = np.bincount(y_codes * k + p_codes, minlength=k * k).reshape(k, k)
    keys = [_label_key(c) for c in classes]
    values = {"confusion_matrix": {a: {p: int(matrix[i, j]) for j, p in enumerate(keys)}
                                   for i, a in enumerate(keys)}}
    values.update(_multiclass_all(y_codes, p_codes, k))
    return values


def regression_metrics(y_true, y_predicted) -> dict:
    """mae, mse, rmse (= sqrt(mse)) and r2 with scikit-learn."""
    y, p = np.asarray(y_true, dtype="float64"), np.asarray(y_predicted, dtype="float64")
    mse = float(skm.mean_squared_error(y, p))
    return {"mae": float(skm.mean_absolute_error(y, p)), "mse": mse, "rmse": float(np.sqrt(mse)),
            "r2": float(skm.r2_score(y, p))}


# --------------------------------------------------------------------------------------------
# statistics.json
# --------------------------------------------------------------------------------------------

def subsamples(n: int, seed: int = 0) -> list[np.ndarray]:
    """The 5 seeded random 80 % subsamples (``int(0.8 n)`` rows drawn without replacement), as
    boolean masks, used for standard deviations."""
    rng = np.random.default_rng([seed, 31])
    size = int(SD_FRACTION * n)
    masks = []
    for _ in range(SD_SAMPLES):
        mask = np.zeros(n, dtype=bool)
        mask[rng.permutation(n)[:size]] = True
        masks.append(mask)
    return masks


def sorted_auc(y_sorted: np.ndarray, score_sorted: np.ndarray) -> float:
    """ROC AUC of scores already sorted in decreasing order: scikit-learn's algorithm
    (``roc_curve``: one point per distinct score, TP and FP counts by cumulative sums; ``auc``:
    trapezoidal rule) without its sort, so the 5 subsamples share one sort of the full data."""
    if len(score_sorted) == 0:
        return float("nan")
    last = np.r_[np.flatnonzero(np.diff(score_sorted)), len(score_sorted) - 1]
    tps = np.cumsum(y_sorted)[last]
    fps = last + 1 - tps
    if tps[-1] == 0 or fps[-1] == 0:
        return float("nan")
    return float(np.trapezoid(np.r_[0.0, tps / tps[-1]], np.r_[0.0, fps / fps[-1]]))


def _binary_subsample_function(y, prediction, threshold: float):
    order = np.argsort(-prediction)
    y_sorted, p_sorted = y[order], prediction[order]

    def compute(mask):
        sorted_mask = mask[order]
        auc = sorted_auc(y_sorted[sorted_mask], p_sorted[sorted_mask])
        return _binary_scalars(y[mask], prediction[mask], threshold, auc=auc)
    return compute


def _scalar_function(problem_type: str, y, prediction, threshold: float):
    """function(row mask) -> every scalar metric of the problem type on those rows."""
    if problem_type == "BinaryClassification":
        return _binary_subsample_function(_check_binary_truth(y), prediction, threshold)
    if problem_type == "MulticlassClassification":
        classes, y_codes, p_codes = _class_codes(y, prediction)
        return lambda idx: _multiclass_all(y_codes[idx], p_codes[idx], len(classes))
    return lambda idx: regression_metrics(y[idx], prediction[idx])


def standard_deviations(problem_type: str, y, prediction, threshold: float = 0.5,
                        seed: int = 0) -> dict[str, float]:
    """SD of each scalar metric over :func:`subsamples` (sample SD, ``ddof=1`` [U]: AWS does not
    say which); NaN below :data:`SD_MIN_ROWS` rows, as Model Monitor writes ``"NaN"``."""
    compute = _scalar_function(problem_type, np.asarray(y, dtype="float64"),
                               np.asarray(prediction, dtype="float64"), threshold)
    if len(y) < SD_MIN_ROWS:
        return {name: float("nan") for name in compute(np.ones(len(y), dtype=bool))}
    runs = [compute(index) for index in subsamples(len(y), seed)]
    return {name: float(np.std([run[name] for run in runs], ddof=1)) for name in runs[0]}
