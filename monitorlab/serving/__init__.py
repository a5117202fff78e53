"""Serving: the datasets (:mod:`.data`), the course model and ``model.tar.gz`` (:mod:`.model`), the
endpoint with Data Capture (:mod:`.endpoint`), reading captures (:mod:`.capture`) and traffic
scenarios with known injected changes (:mod:`.scenarios`). Builds on :mod:`monitorlab.account`."""
