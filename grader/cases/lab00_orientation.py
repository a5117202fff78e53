"""Typical wrong submissions of lab 00 (orientation) and their exact autograder totals (of 17).

Each case replaces one answer cell of the solution; the score lost is what that task's test cell
takes off for the mistake.
"""

from grader.cases import Case

_SSE_S3 = '''
def create_encrypted_bucket(s3, bucket, kms_key_arn):
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]})
'''

_AWS_MANAGED_KEY = '''
def create_encrypted_bucket(s3, bucket, kms_key_arn):
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_encryption(Bucket=bucket, ServerSideEncryptionConfiguration={"Rules": [
        {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms"},
         "BucketKeyEnabled": True}]})
'''

_FRACTION = '''
ENDPOINT_CONFIG = {
    "EndpointConfigName": "adult-income-v2-config",
    "ProductionVariants": [{"VariantName": "AllTraffic", "ModelName": "adult-income-model",
                            "InitialInstanceCount": 2, "InstanceType": "ml.m5.xlarge",
                            "InitialVariantWeight": 1.0}],
    "DataCaptureConfig": {
        "EnableCapture": True,
        "InitialSamplingPercentage": 0.25,
        "DestinationS3Uri": "s3://monitorlab-123456789012-us-east-1/datacapture-v2",
        "KmsKeyId": "alias/monitorlab-data",
        "CaptureOptions": [{"CaptureMode": "Input"}, {"CaptureMode": "Output"}],
        "CaptureContentTypeHeader": {"CsvContentTypes": ["text/csv"]},
    },
}
'''

_NO_CONTENT_TYPE = '''
def predict_probability(runtime, endpoint_name, csv_row):
    response = runtime.invoke_endpoint(EndpointName=endpoint_name, Body=csv_row)
    return float(response["Body"].read())
'''

_RETURNS_TEXT = '''
def predict_probability(runtime, endpoint_name, csv_row):
    response = runtime.invoke_endpoint(EndpointName=endpoint_name, ContentType="text/csv",
                                       Body=csv_row)
    return response["Body"].read().decode("utf-8")
'''

CASES = [
    Case("sse_s3_instead_of_kms", {"task1-bucket-answer": _SSE_S3}, 14.5,
         "AES256 (SSE-S3): the bucket exists (0.5) but algorithm, key and Bucket Key are lost"),
    Case("aws_managed_key", {"task1-bucket-answer": _AWS_MANAGED_KEY}, 16.0,
         "aws:kms without KMSMasterKeyID encrypts under aws/s3, not the given key (-1)"),
    Case("sampling_as_fraction", {"task2-config-answer": _FRACTION}, 16.0,
         "InitialSamplingPercentage 0.25: botocore rejects the float (-0.5) and the sampling "
         "check fails (-0.5)"),
    Case("no_content_type", {"task3-invoke-answer": _NO_CONTENT_TYPE}, 16.5,
         "no ContentType: the local endpoint assumes CSV, the recording runtime sees none (-0.5)"),
    Case("returns_text", {"task3-invoke-answer": _RETURNS_TEXT}, 16.5,
         "returns the decoded body string, not a float (-0.5)"),
    Case("bias_and_attribution_swapped",
         {"task4-drift-answer":
          'DRIFT_TOOLS = {"inputs": "B", "accuracy": "D", "fairness": "A", "drivers": "E"}'},
         16.0, "Clarify's bias drift and feature attribution drift monitors swapped (-1)"),
    Case("cloudwatch_for_audit",
         {"task5-services-answer":
          'AUDIT_SERVICE = "A"\nTRACE_SERVICE = "A"\nLABEL_REASON = "D"'},
         16.0, "CloudWatch metrics for an API audit: that is CloudTrail (-1)"),
    Case("only_alarms", {"task6-moto-answer": 'MOTO_DOES_NOT = {"C"}'}, 15.4,
         "one right letter of five: 2 x 1/5 = 0.4"),
    Case("every_letter", {"task6-moto-answer": 'MOTO_DOES_NOT = set("ABCDEFGH")'}, 15.8,
         "all eight letters: (5 right - 3 wrong) / 5 x 2 = 0.8"),
]
