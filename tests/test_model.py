import numpy as np
import pytest

from monitorlab.serving import data, model


def test_course_model_is_accurate_and_deterministic():
    from sklearn.metrics import roc_auc_score

    test = data.load_adult("test")
    trained = model.course_model()
    scores = model.predict_proba(trained, test)
    assert roc_auc_score(test[data.LABEL], scores) > 0.9
    retrained = model.train_model(seed=0)
    np.testing.assert_array_equal(scores[:500], model.predict_proba(retrained, test.head(500)))


def test_model_tarball_is_reproducible_and_loads_back():
    trained = model.course_model()
    archive = model.package_model(trained)
    assert archive == model.package_model(model.unpack_model(archive))
    import io, tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        assert sorted(tar.getnames()) == ["metadata.json", "model.joblib"]


def test_missing_feature_column_is_named():
    with pytest.raises(ValueError, match="hours_per_week"):
        model.as_model_input(data.load_adult("test").drop(columns="hours_per_week"))


def test_s3_uri_parsing():
    assert model.split_s3_uri("s3://bucket/a/b") == ("bucket", "a/b")
    assert model.split_s3_uri("s3://bucket") == ("bucket", "")
    for bad in ("bucket/a", "s3:///a", None):
        with pytest.raises(ValueError):
            model.split_s3_uri(bad)
