"""Typical wrong answers to lab 06 (post-training bias and bias drift), each on top of the solution,
with its exact score.

The lab is worth 25 points: task 1 DPPL/DI 6, task 2 violations 4, task 3 remedy 3, task 4 monitor
config 5, task 5 per-window figure 3, task 6 exam 4.
"""

from grader.cases import Case

_TASK1 = '''def dppl(is_d, predicted):
    is_d = np.asarray(is_d, dtype=bool)
    positive = np.asarray(predicted).astype(bool)
    return float(positive[~is_d].mean() - positive[is_d].mean())


def disparate_impact(is_d, predicted):
    is_d = [bool(x) for x in is_d]
    predicted = [bool(x) for x in predicted]
    n_a = sum(1 for d in is_d if not d)
    n_d = sum(1 for d in is_d if d)
    q_a = sum(1 for d, p in zip(is_d, predicted) if p and not d) / n_a
    q_d = sum(1 for d, p in zip(is_d, predicted) if p and d) / n_d
    %s
'''

_TASK4 = '''ANALYSIS_CONFIG = {
    "label": "label",
    "label_values_or_threshold": [1],
    "facet": [{"name_or_index": "age", "value_or_threshold": %s}],%s
}
PROBABILITY_THRESHOLD = %s
START_OFFSET = %r
END_OFFSET = %r
'''


def _task4(facet="[60]", extra="", threshold="0.7", start="-P3D", end="-P2D"):
    return {"task4-answer": _TASK4 % (facet, extra, threshold, start, end)}


CASES = [
    Case("di_inverted",
         {"task1-answer": _TASK1 % "return q_a / q_d if q_d else (0.0 if q_a == 0 else math.inf)"},
         expected_score=23.0,
         note="DI = q'_a / q'_d (upside down): DI is wrong in the visible example and in three hidden "
              "cases (favoured d, no positive in a, numpy arrays), right only where it cannot tell "
              "(no positive at all, equal rates): -0.5 x 4"),
    Case("no_division_rule",
         {"task1-answer": _TASK1 % "return q_d / q_a"},
         expected_score=24.0,
         note="plain division: ZeroDivisionError when facet a has no positive decision (hidden "
              "cases 2 and 3), -0.5 each"),
    Case("signed_drift_rule",
         {"task2-answer": 'FLAGGED = {"DI", "TE", "GE"}\nDI_READING = "D"\n'},
         expected_score=24.25,
         note="flags only metrics that went up: misses DPPL (0.17 -> -0.21) and AD (-0.05 -> -0.09), "
              "both farther from 0: -0.375 x 2 (DI_READING D is right)"),
    Case("threshold_in_analysis_config",
         _task4(extra='\n    "probability_threshold": 0.7,', threshold="0.5"),
         expected_score=23.5,
         note="puts 0.7 in the analysis config and leaves the job's ProbabilityThresholdAttribute at "
              "0.5: the job refuses the conflict (visible -0.5) and the threshold is wrong (-1)"),
    Case("age_values_and_recent_offsets",
         _task4(facet="[61, 90]", start="-P2D", end="-P1D"),
         expected_score=23.0,
         note="[61, 90] is a list of values (age 61 or 90), not 'older than 60' (-1); -P2D/-P1D "
              "analyses the day that ended 24 h before the run, before most labels arrive (-1)"),
    Case("lone_flag_read_as_the_change",
         {"task5-answer": 'CHANGE_WINDOW = "2026-01-06"\nREPORTED_ON = "2026-01-09"\nLONE_FLAG = "A"\n'},
         expected_score=22.0,
         note="takes the single noisy DI flag for the start of the fault (LONE_FLAG A): all three "
              "answers wrong, -3"),
    Case("exam_traps",
         {"task3-answer": 'REMEDY_NO_LOSS = "C"\nSMOTE_RISK = "C"\nPROVE_IT = "D"\n',
          "task6-answer": 'DASHBOARD = "B"\nEQUAL_OPPORTUNITY = "B"\nDI_FAIR = "C"\nLIVE_FAIRNESS = "C"\n'},
         expected_score=23.0,
         note="REMEDY_NO_LOSS C synthesises more positives for a group that already has too many (-1); "
              "DASHBOARD B, CloudTrail for a bias dashboard: it records API calls, not bias metrics "
              "(-1); the other five letters are right (options rewritten for issue 14: the right "
              "letters moved, and this case's letters with them)"),
]
