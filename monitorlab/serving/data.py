"""The shipped datasets: UCI Adult (the course's backbone) and German Credit.

Both are CC BY 4.0 and live in ``data/`` beside this package, with ``data/DATA.md`` giving the
source, credit, SHA-256 and cleaning. Loaders return typed DataFrames: categoricals as pandas
``category``, numbers as ``Int64``/``float64``, the UCI ``?`` marker as missing (``NaN``).

Column names are Spark-compliant (lowercase letters and ``_``), because SageMaker's data-quality
container requires that of baseline columns (SAGEMAKER.md §1.4): ``education-num`` becomes
``education_num``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[2] / "data"

ADULT_COLUMNS = [
    "age", "workclass", "fnlwgt", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country", "income",
]
ADULT_NUMERIC = ["age", "education_num", "capital_gain", "capital_loss", "hours_per_week"]
ADULT_CATEGORICAL = [
    "workclass", "education", "marital_status", "occupation", "relationship", "race", "sex",
    "native_country",
]
#: The model's input features, in the column order of the endpoint's CSV payload. ``fnlwgt`` is a
#: census sampling weight, not a property of the person, so the model does not use it.
FEATURES = [
    "age", "workclass", "education", "education_num", "marital_status", "occupation",
    "relationship", "race", "sex", "capital_gain", "capital_loss", "hours_per_week",
    "native_country",
]
NUMERIC_FEATURES = [f for f in FEATURES if f in ADULT_NUMERIC]
CATEGORICAL_FEATURES = [f for f in FEATURES if f in ADULT_CATEGORICAL]
#: The binary target: 1 when income is ``>50K``.
LABEL = "label"

#: SHA-256 of each shipped file; :func:`verify_checksums` and the tests check them.
CHECKSUMS = {
    "adult.data.gz": "a2b96608329d16daa25c517291d2a709e330ab6792044ed752fbeb95dca077ed",
    "adult.test.gz": "a8783977c1ffaab5b51aa1a2c966dbdcc9711ccc5cbab2866c6fa4d4ac77b5e5",
    "adult.names": "c248284c0b5de30c9e1958d6cdd168a34a654758b620e68f46aefa83fc0a576a",
    "german.data": "b21f3d81db8071257d5ff1deaeba1fd4303b62712e6fcc9715c7a86202cb5871",
    "german.values_maps.json": "73a48f120cdb8019fb9f0ad84078ef1ba109f1100bbcc6cbcf925d60e6adcd4e",
    "sagemaker_prices.json": "73f7f6e094498b17bb94d6456f1d17fa106c6a6e00463355f806fa05e4944fa2",
}

GERMAN_COLUMNS = [
    "status", "duration", "credit_history", "purpose", "amount", "savings", "present_employment",
    "installment_rate", "status_sex", "other_debtors", "residence_since", "property", "age",
    "installment_plans", "housing", "existing_credits", "job", "num_dependents", "telephone",
    "foreign_worker", "credit",
]
GERMAN_NUMERIC = [
    "duration", "amount", "installment_rate", "residence_since", "age", "existing_credits",
    "num_dependents",
]


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify_checksums() -> None:
    """Raise ``ValueError`` naming any shipped file whose SHA-256 differs from :data:`CHECKSUMS`."""
    for name, expected in CHECKSUMS.items():
        path = DATA_DIR / name
        if not path.exists():
            raise ValueError(f"missing data file {path}; restore it with `git checkout data/`")
        actual = sha256(path)
        if actual != expected:
            raise ValueError(f"{path} has SHA-256 {actual}, expected {expected}; "
                             "restore it with `git checkout data/`")


def load_adult(split: str = "train") -> pd.DataFrame:
    """UCI Adult, ``split`` ``"train"`` (32,561 rows) or ``"test"`` (16,281 rows).

    Cleaning, applied identically to both splits: strip the space after each comma; ``?`` becomes
    missing; the test file's first line (``|1x3 Cross validator``) is skipped and the trailing
    ``.`` of its labels (``>50K.``) removed. Adds ``label`` = 1 for ``>50K`` else 0.
    """
    files = {"train": "adult.data.gz", "test": "adult.test.gz"}
    if split not in files:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    frame = pd.read_csv(
        DATA_DIR / files[split], header=None, names=ADULT_COLUMNS, skipinitialspace=True,
        na_values="?", skiprows=1 if split == "test" else 0, comment=None,
    )
    frame = frame.dropna(how="all")  # the files end with a blank line
    frame["income"] = frame["income"].str.rstrip(".")
    frame[LABEL] = (frame["income"] == ">50K").astype("int64")
    for column in ADULT_NUMERIC + ["fnlwgt"]:
        frame[column] = frame[column].astype("int64")
    for column in ADULT_CATEGORICAL + ["income"]:
        frame[column] = frame[column].astype("category")
    return frame.reset_index(drop=True)


def adult_categories() -> dict[str, list[str]]:
    """The category levels of each categorical feature in the training split (sorted)."""
    train = load_adult("train")
    return {c: sorted(train[c].cat.categories.tolist()) for c in CATEGORICAL_FEATURES}


def load_german(decode: bool = True) -> pd.DataFrame:
    """UCI Statlog German Credit (1,000 rows, 20 attributes and ``credit``).

    With ``decode=True`` the attribute codes (``A11``...) become the documented meanings from
    ``german.values_maps.json``; ``credit`` becomes ``good``/``bad`` and ``label`` = 1 for good.
    """
    frame = pd.read_csv(DATA_DIR / "german.data", sep=" ", header=None, names=GERMAN_COLUMNS,
                        dtype=str)
    maps = json.loads((DATA_DIR / "german.values_maps.json").read_text())
    frame[LABEL] = (frame["credit"] == "1").astype("int64")
    for column in GERMAN_COLUMNS:
        if column in GERMAN_NUMERIC:
            frame[column] = frame[column].astype("int64")
        else:
            values = frame[column].map(lambda code, m=maps[column]: m.get(code, code)) if decode \
                else frame[column]
            frame[column] = values.astype(str).astype("category")
    return frame


def split_indices(n: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """A seeded permutation split of ``range(n)`` into (first ``fraction``, rest)."""
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * fraction))
    return np.sort(order[:cut]), np.sort(order[cut:])
