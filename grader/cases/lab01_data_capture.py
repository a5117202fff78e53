"""Typical wrong answers to lab 01 (Data Capture), each on top of the solution, with its exact score.

The lab is worth 28 points: task 1 config 6, task 2 parse 6, task 3 prefix 4, task 4 volume 5,
task 5 exam 4, task 6 window 3.
"""

from grader.cases import Case

_CONFIG = '''CAPTURE_CONFIG = {
    "EnableCapture": True,
    "InitialSamplingPercentage": %s,
    "DestinationS3Uri": "s3://monitorlab-123456789012-us-east-1/lab01/capture",
    "KmsKeyId": "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "CaptureOptions": %s,
    "CaptureContentTypeHeader": {
        "CsvContentTypes": ["text/csv"],
        "JsonContentTypes": ["application/json", "application/jsonlines"],
    },
}
'''

_NO_BASE64 = '''def parse_capture_line(line):
    record = json.loads(line) if isinstance(line, str) else line
    meta = record["eventMetadata"]
    request = record["captureData"]["endpointInput"]
    response = record["captureData"]["endpointOutput"]
    if request["encoding"] == "JSON":
        row = json.loads(request["data"])["instances"][0]
        features = [str(v) for v in (row.values() if isinstance(row, dict) else row)]
    else:
        features = request["data"].split(",")
    if response["encoding"] == "JSON":
        prediction = float(json.loads(response["data"])["predictions"][0])
    else:
        prediction = float(response["data"])
    return meta["eventId"], meta.get("inferenceId"), meta["inferenceTime"], features, prediction
'''

_PREFIX = '''def capture_prefix(destination_s3_uri, endpoint_name, variant_name, when):
    prefix = destination_s3_uri[len("s3://"):].strip("/").partition("/")[2]
    parts = [prefix, %s, when.strftime("%%Y/%%m/%%d/%%H")]
    return "/".join(part for part in parts if part) + "/"
'''

_VOLUME = '''def daily_capture_volume(requests_per_second, sampling_percentage, record_bytes):
    records = requests_per_second * 86_400 * sampling_percentage%s
    return records, %s
'''

CASES = [
    Case("sampling_as_fraction",
         {"task1-config-answer": _CONFIG % ("0.25", '[{"CaptureMode": "Input"}, {"CaptureMode": "Output"}]')},
         expected_score=26.5,
         note="InitialSamplingPercentage 0.25 instead of 25: the API rejects the float (-0.5) "
              "and the sampling check fails (-1)"),
    Case("capture_mode_both",
         {"task1-config-answer": _CONFIG % ("25", '[{"CaptureMode": "Both"}]')},
         expected_score=27.0,
         note='CaptureMode "Both" is not an API value (Input, Output, InputAndOutput): -1'),
    Case("capture_mode_input_and_output",
         {"task1-config-answer": _CONFIG % ("25", '[{"CaptureMode": "InputAndOutput"}]')},
         expected_score=28.0,
         note="one InputAndOutput entry is as right as Input plus Output: full marks"),
    Case("no_base64_decoding", {"task2-parse-answer": _NO_BASE64},
         expected_score=25.5,
         note="reads BASE64 data as if it were text: both base64 hidden records fail "
              "(float() of base64 raises), -2.5"),
    Case("local_hour_not_utc",
         {"task3-prefix-answer": _PREFIX % "endpoint_name, variant_name"},
         expected_score=26.0,
         note="formats `when` in its own time zone instead of UTC: the +05:30 and -05:00 "
              "hidden cases fail, -2"),
    Case("variant_before_endpoint",
         {"task3-prefix-answer": _PREFIX.replace("when.strftime", "when.astimezone(timezone.utc).strftime")
          % "variant_name, endpoint_name"},
         expected_score=24.0,
         note="prefix/variant/endpoint/... instead of prefix/endpoint/variant/...: task 3 is 0"),
    Case("bytes_ignore_sampling",
         {"task4-volume-answer": _VOLUME % (" / 100", "requests_per_second * 86_400 * record_bytes")},
         expected_score=26.75,
         note="bytes from every request, not only the sampled ones: visible bytes (-0.5) and the "
              "5 % hidden level (-0.75) fail; at 100 % the two agree"),
    Case("percentage_not_divided",
         {"task4-volume-answer": _VOLUME % ("", "records * record_bytes")},
         expected_score=24.0,
         note="multiplies by 20 instead of 0.20: every volume check fails, only AVG_RECORD_BYTES scores"),
    Case("exam_all_b",
         {"task5-exam-answer": 'CUT_COST = "B"\nJOIN_LABELS = "B"\nWHERE_STORED = "B"\nBEFORE_MONITOR = "B"\n'},
         expected_score=25.0,
         note="the same letter everywhere: only 5a is right, -3"),
    Case("percent_as_fraction",
         {"task6-window-answer": "UNUSABLE_LINES = len(window.problems)\n"
                                 "UNUSABLE_PERCENT = UNUSABLE_LINES / (window.records + UNUSABLE_LINES)\n"
                                 'MONITOR_ACTION = "C"\n'},
         expected_score=27.0,
         note="0.0119 (a fraction) instead of 1.19 (a percentage): -1"),
    Case("drop_bad_lines",
         {"task6-window-answer": "UNUSABLE_LINES = len(window.problems)\n"
                                 "UNUSABLE_PERCENT = 100 * UNUSABLE_LINES / (window.records + UNUSABLE_LINES)\n"
                                 'MONITOR_ACTION = "A"\n'},
         expected_score=27.0,
         note="chooses to drop unusable lines quietly: -1"),
]
