"""The course model: a scikit-learn pipeline that predicts ``income > 50K`` on UCI Adult.

Preprocessing (numeric columns passed through, categoricals imputed with ``"missing"`` and one-hot
encoded with ``handle_unknown="ignore"`` so an unseen category never breaks the endpoint) followed
by a ``GradientBoostingClassifier`` (100 trees of depth 3), which shap's ``TreeExplainer`` supports
exactly and fast. Trained deterministically (``random_state``) in about 4 s on one core; the
fitted model is cached under ``.monitorlab-cache/`` so notebooks reuse it.

The artifact is a ``model.tar.gz`` as SageMaker expects one in S3: a gzip tarball holding
``model.joblib`` and ``metadata.json``, written with fixed timestamps and owners so the same model
gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile

import joblib
import pandas as pd
import sklearn
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder

from monitorlab.serving import data

CACHE_DIR = data.DATA_DIR.parent / ".monitorlab-cache"
HYPERPARAMETERS = {"n_estimators": 100, "max_depth": 3, "learning_rate": 0.1}


def as_model_input(frame: pd.DataFrame) -> pd.DataFrame:
    """The feature columns in model order, categoricals as plain ``object`` strings.

    Raises ``ValueError`` naming any missing feature column.
    """
    missing = [c for c in data.FEATURES if c not in frame.columns]
    if missing:
        raise ValueError(f"the model needs the columns {missing}; pass a frame with all of "
                         f"monitorlab.serving.data.FEATURES")
    features = frame[data.FEATURES].copy()
    for column in data.CATEGORICAL_FEATURES:
        features[column] = features[column].astype(object).where(features[column].notna(), None)
    for column in data.NUMERIC_FEATURES:
        features[column] = pd.to_numeric(features[column], errors="raise").astype("float64")
    return features


def build_pipeline(seed: int = 0) -> Pipeline:
    """The untrained preprocessing + gradient-boosting pipeline."""
    categorical = Pipeline([
        ("impute", SimpleImputer(strategy="constant", fill_value="missing")),
        ("onehot", OneHotEncoder(handle_unknown="ignore", min_frequency=20, sparse_output=False)),
    ])
    numeric = SimpleImputer(strategy="median")
    preprocess = ColumnTransformer([
        ("num", numeric, data.NUMERIC_FEATURES),
        ("cat", categorical, data.CATEGORICAL_FEATURES),
    ])
    classifier = GradientBoostingClassifier(random_state=seed, **HYPERPARAMETERS)
    return Pipeline([("preprocess", preprocess), ("classifier", classifier)])


def train_model(train: pd.DataFrame | None = None, seed: int = 0) -> Pipeline:
    """Fit the pipeline on ``train`` (default: the Adult training split)."""
    train = data.load_adult("train") if train is None else train
    if data.LABEL not in train.columns:
        raise ValueError(f"training data needs a {data.LABEL!r} column (1 for >50K, else 0)")
    return build_pipeline(seed).fit(as_model_input(train), train[data.LABEL])


def _cache_key(seed: int) -> str:
    parts = [sklearn.__version__, data.CHECKSUMS["adult.data.gz"], json.dumps(HYPERPARAMETERS),
             str(seed), ",".join(data.FEATURES)]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def course_model(seed: int = 0) -> Pipeline:
    """The trained course model, from the on-disk cache when present (else trained and cached).

    Training takes about 15 s on 2 cores, once per machine: a message says so while it runs.
    """
    path = CACHE_DIR / f"adult-gb-{_cache_key(seed)}.joblib"
    if path.exists():
        try:
            return joblib.load(path)
        except Exception:  # a truncated or foreign cache file: retrain below
            path.unlink(missing_ok=True)
    print("Training the course model on UCI Adult (first run only, about 15 s; later "
          "notebooks reuse it from .monitorlab-cache/)...", flush=True)
    model = train_model(seed=seed)
    print("Course model trained and cached.", flush=True)
    try:
        CACHE_DIR.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".{id(model)}.tmp")
        joblib.dump(model, tmp)
        tmp.replace(path)
    except OSError:
        pass  # a read-only checkout still works, it just retrains next time
    return model


def predict_proba(model: Pipeline, frame: pd.DataFrame):
    """Probability of ``>50K`` for each row of ``frame``."""
    return model.predict_proba(as_model_input(frame))[:, 1]


def metadata(model: Pipeline) -> dict:
    return {
        "framework": "scikit-learn", "framework_version": sklearn.__version__,
        "features": data.FEATURES, "label": data.LABEL, "positive_class": ">50K",
        "output": "probability of label 1", "hyperparameters": HYPERPARAMETERS,
    }


def package_model(model: Pipeline) -> bytes:
    """``model.tar.gz`` bytes (``model.joblib`` + ``metadata.json``), reproducible."""
    members = {"model.joblib": _joblib_bytes(model),
               "metadata.json": json.dumps(metadata(model), indent=2, sort_keys=True).encode()}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for name, payload in members.items():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(payload), 0, 0o644
            tar.addfile(info, io.BytesIO(payload))
    return gzip.compress(raw.getvalue(), mtime=0)


def unpack_model(archive: bytes) -> Pipeline:
    """Load the pipeline back from ``model.tar.gz`` bytes."""
    with tarfile.open(fileobj=io.BytesIO(archive), mode="r:gz") as tar:
        try:
            member = tar.extractfile("model.joblib")
        except KeyError:
            raise ValueError("model.tar.gz has no model.joblib at its root") from None
        return joblib.load(io.BytesIO(member.read()))


def _joblib_bytes(model: Pipeline) -> bytes:
    buffer = io.BytesIO()
    joblib.dump(model, buffer)
    return buffer.getvalue()


def upload_model(s3_client, bucket: str, key: str, model: Pipeline) -> str:
    """Upload ``model.tar.gz`` to S3 (the bucket's default SSE-KMS applies) and return its URI."""
    s3_client.put_object(Bucket=bucket, Key=key, Body=package_model(model))
    return f"s3://{bucket}/{key}"


def download_model(s3_client, s3_uri: str) -> Pipeline:
    """Load a model from an ``s3://bucket/key/model.tar.gz`` URI."""
    bucket, key = split_s3_uri(s3_uri)
    return unpack_model(s3_client.get_object(Bucket=bucket, Key=key)["Body"].read())


def split_s3_uri(uri: str) -> tuple[str, str]:
    """``s3://bucket/a/b`` → ``("bucket", "a/b")``; raises ``ValueError`` on anything else."""
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise ValueError(f"expected an S3 URI like s3://bucket/prefix, got {uri!r}")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise ValueError(f"expected an S3 URI like s3://bucket/prefix, got {uri!r}")
    return bucket, key
