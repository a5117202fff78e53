"""Typical wrong answers to lab 05 (pre-training bias), each on top of the solution, with its exact score.

The lab is worth 36 points: task 1 facet d 4, task 2 CI/DPL/divide 6, task 3 CDDL 4, task 4
analysis.json 5, task 5 analysis_config 5, task 6 figure 3, task 7 remedies 4, task 8 exam 5.
"""

from grader.cases import Case

_FACET = '''def facet_d(values, value_or_threshold):
    column = pd.Series(list(values))
    chosen = list(value_or_threshold)
    numeric = all(isinstance(v, (int, float, np.integer, np.floating)) for v in column)
    if %s:
        return (column %s chosen[0]).to_numpy()
    return column.isin(chosen).to_numpy()
'''

_METRICS = '''def clarify_divide(numerator, denominator):
    %s


def class_imbalance(is_d):
    is_d = np.asarray(is_d, dtype=bool)
    n_d = int(is_d.sum())
    n_a = len(is_d) - n_d
    %s
    return %s


def dpl(is_d, is_positive):
    is_d = np.asarray(is_d, dtype=bool)
    is_positive = np.asarray(is_positive, dtype=bool)
    %s
    return is_positive[~is_d].mean() - is_positive[is_d].mean()
'''
_DIVIDE_OK = ('if denominator == 0:\n        return 0.0 if numerator == 0 else '
              '(math.inf if numerator > 0 else -math.inf)\n    return numerator / denominator')
_EMPTY_OK = "if n_a == 0 or n_d == 0:\n        return None"
_DPL_EMPTY_OK = "if is_d.all() or not is_d.any():\n        return None"

_CDDL = '''def cddl(is_d, is_positive, groups):
    is_d = np.asarray(is_d, dtype=bool)
    is_positive = np.asarray(is_positive, dtype=bool)
    groups = np.asarray(groups)
    values = []
    for group in pd.unique(groups):
        in_group = groups == group
        rejected, accepted = in_group & ~is_positive, in_group & is_positive
        dd = %s
        values.append((int(in_group.sum()), dd))
    return %s
'''
_DD_DIVIDE = ("clarify_divide(int((rejected & is_d).sum()), int(rejected.sum())) "
              "- clarify_divide(int((accepted & is_d).sum()), int(accepted.sum()))")
_DD_PLAIN = "(rejected & is_d).sum() / rejected.sum() - (accepted & is_d).sum() / accepted.sum()"
_WEIGHTED = "sum(n * dd for n, dd in values) / len(groups)"

_CONFIG = '''ANALYSIS_CONFIG = {
    "dataset_type": "text/csv",
    "headers": ADULT_HEADERS,
    "label": "income",
    "label_values_or_threshold": %s,
    "facet": [{"name_or_index": "race", "value_or_threshold": %s},
              {"name_or_index": "age", "value_or_threshold": %s}],
    "group_variable": "education",
    "methods": %s,
}
'''
_PRE_ONLY = '{"pre_training_bias": {"methods": "all"}}'


def _config(label='[">50K"]', race='["Black"]', age="[60]", methods=_PRE_ONLY):
    return _CONFIG % (label, race, age, methods)


_REPORT = '''MOST_DISADVANTAGED = "foreign_worker"
AGE_D = %r
AGE_FAVOURED = "A"
FOREIGN_SHARE = %s
CDDL_NULL = "C"
'''

_REMEDY = '''REMEDY_40_45 = %r
NO_DATA_LOSS = "D"
ROWS_TO_DROP = %s
DETECT_AND_FIX = "A"
'''

CASES = [
    Case("threshold_includes_t",
         {"task1-facet-answer": _FACET % ("len(chosen) == 1 and numeric", ">=")},
         expected_score=34.0,
         note="value >= t instead of value > t: the visible age [40] (-0.5) and the hidden [40.0] and "
              "[-2] thresholds (-0.75 each) fail"),
    Case("band_read_as_threshold",
         {"task1-facet-answer": _FACET % ("numeric", ">")},
         expected_score=35.25,
         note="any list of numbers becomes a threshold on its first number: the age band "
              "[40, ..., 45] selects age > 40 (-0.75)"),
    Case("ci_d_minus_a",
         {"task2-metrics-answer": _METRICS % (_DIVIDE_OK, _EMPTY_OK, "(n_d - n_a) / (n_a + n_d)",
                                              _DPL_EMPTY_OK)},
         expected_score=34.5,
         note="CI as d minus a: the visible CI and both hidden CIs fail (-1.5); the empty facet "
              "still returns None"),
    Case("divide_by_zero_is_zero_no_empty_check",
         {"task2-metrics-answer": _METRICS % ("return numerator / denominator if denominator else 0.0",
                                              "pass", "(n_a - n_d) / (n_a + n_d)", "pass")},
         expected_score=34.0,
         note="every x/0 gives 0 (hidden 5/0 and -3/0 fail, -1) and no None for an empty facet d "
              "(CI 1.0 and DPL nan, -1); CDDL, which only meets 0/0, stays right"),
    Case("cddl_plain_division",
         {"task3-cddl-answer": _CDDL % (_DD_PLAIN, _WEIGHTED)},
         expected_score=35.0,
         note="numpy division instead of clarify_divide: the group without accepted rows gives nan "
              "(-1); the other data sets have no empty denominator"),
    Case("cddl_unweighted_mean",
         {"task3-cddl-answer": _CDDL % (_DD_DIVIDE, "sum(dd for n, dd in values) / len(values)")},
         expected_score=34.0,
         note="plain mean of the groups' DD: right only where the groups are equally large "
              "(visible 12 rows, single group); the two hidden sets with unequal groups fail (-2)"),
    Case("report_misread",
         {"task4-report-answer": _REPORT % ("D", "96.3")},
         expected_score=34.0,
         note="reads (25, 75] as 25 to 75 with both ends included (-1) and gives FOREIGN_SHARE as a "
              "percentage, 96.3 instead of 0.963 (-1)"),
    Case("age_threshold_61_label_one",
         {"task5-config-answer": _config(label="[1]", age="[61]")},
         expected_score=34.5,
         note="[61] leaves out the 61-year-olds (-1); label_values_or_threshold [1] on the text column "
              "income matches no row (-0.5): the engine accepts the file, its report on adult fails "
              "and the check says why"),
    Case("facet_value_not_a_list_both_stages",
         {"task5-config-answer": _config(race='"Black"',
                                         methods='{"pre_training_bias": {"methods": "all"}, '
                                                 '"post_training_bias": {"methods": "all"}}')},
         expected_score=34.0,
         note="value_or_threshold 'Black' instead of ['Black']: the engine refuses it (-0.5) and the "
              "race facet fails (-1); post-training metrics asked for without a model (-0.5)"),
    Case("dpl_sign_misread",
         {"task6-figure-answer": 'CI_ZERO_AT = "B"\nREAD_DPL = "B"\nRIGHT_END = "D"\n'},
         expected_score=35.0,
         note="reads DPL > 0 as facet d (large loans) favoured: -1"),
    Case("oversample_the_band_drop_800",
         {"task7-remedy-answer": _REMEDY % ("A", "800")},
         expected_score=34.0,
         note="oversamples the over-represented band's positives, which widens the gap (-1), and "
              "computes 1,200 - 0.2 x 2,000 = 800, forgetting that dropping positives shrinks the band (-1)"),
    Case("exam_dpl_everywhere",
         {"task8-exam-answer": 'FACET_SIZES = "A"\nCONFIRM_IMBALANCE = "B"\nLIVE_BIAS = "A"\n'
                               'NEGATIVE_KL = "A"\nINFINITE_VALUE = "C"\n'},
         expected_score=34.0,
         note="DPL for group sizes and a one-off Clarify job for hourly monitoring: -2"),
]
