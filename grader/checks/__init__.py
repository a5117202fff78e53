"""Trusted checks per lab: ``grader/checks/<lab>.py`` defines ``CHECKS`` (see ``grader.trusted``).

These files hold the expected values and the points; they run only in the grading process and
are never visible inside the sandbox where learner code runs. Modules:

- ``lab01_data_capture``: lab 01, Data Capture (28 points).
"""
