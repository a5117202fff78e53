"""Typical wrong answers to lab 10 (security), each on top of the solution, with its exact score.

The lab is worth 32 points: task 1 decide 6, task 2 least privilege 5, task 3 bucket policy 4,
task 4 KMS 4, task 5 network 4, task 6 trail 3, task 7 exam 6.
"""

from grader.cases import Case

_DECIDE = '''def decide(policy, action, resource, context):
    def as_list(value):
        return [value] if isinstance(value, str) else list(value)

    def holds(op, key, values):
        have = next((v for k, v in context.items() if k.lower() == key.lower()), None)
        if have is None:
            return False
        positive = {"StringNotEquals": "StringEquals", "NotIpAddress": "IpAddress"}.get(op, op)
        if positive in ("StringEquals", "Bool"):
            hit = any(str(have).lower() == str(w).lower() if positive == "Bool" else str(have) == str(w) for w in as_list(values))
        elif positive == "StringLike":
            hit = any(fnmatch.fnmatchcase(str(have), str(w)) for w in as_list(values))
        elif positive == "NumericLessThan":
            hit = any(float(have) < float(w) for w in as_list(values))
        else:
            hit = any(ipaddress.ip_address(have) in ipaddress.ip_network(w, strict=False) for w in as_list(values))
        return not hit if positive != op else hit

    def applies(st):
        if "Action" in st:
            ok = any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(st["Action"]))
        else:
            ok = not any(fnmatch.fnmatchcase(action.lower(), a.lower()) for a in as_list(st["NotAction"]))
        ok = ok and any(fnmatch.fnmatchcase(resource, r) for r in as_list(st["Resource"]))
        return ok and all(holds(op, k, v) for op, block in st.get("Condition", {}).items() for k, v in block.items())

    statements = policy["Statement"]
    statements = [statements] if isinstance(statements, dict) else statements
    effects = [st["Effect"] for st in statements if applies(st)]
    if "Deny" in effects:
        return "ExplicitDeny"
    return "Allow" if "Allow" in effects else "ImplicitDeny"
'''

_ENGINE = '''from monitorlab.security import iam as engine


def decide(policy, action, resource, context):
    return engine.evaluate(action, resource, identity_policies=policy, context=context).decision
'''

_S3_STAR = '''MONITORING_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": [CAP, f"{CAP}/*"]},
    {"Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": KEY_ARN},
    {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*"}]}
'''

_TLS_OBJECTS_ONLY = '''CAPTURE_BUCKET_POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": f"{CAP}/*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "DenyUnencryptedPuts", "Effect": "Deny", "Principal": "*", "Action": "s3:PutObject",
     "Resource": f"{CAP}/*", "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}},
    {"Sid": "DenyOutsideTheVpcEndpoint", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": [CAP, f"{CAP}/*"], "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f60718"}}}]}
'''

_NAT = '''igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=VPC_ID)
nat = ec2.create_nat_gateway(SubnetId=vpc["SubnetIds"][1])["NatGateway"]["NatGatewayId"]
ec2.create_route(RouteTableId=ROUTE_TABLE, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
'''

CASES = [
    Case("negated_operator_false_on_missing_key",
         {"task1-decide-answer": _DECIDE},
         expected_score=31.62,
         note="a missing key makes every operator false, so 'Deny unless aws:SourceVpce' never denies a "
              "request that carries no endpoint: one hidden case fails (-0.375, cell rounds to 5.62)"),
    Case("decide_calls_the_engine",
         {"task1-decide-answer": _ENGINE},
         expected_score=26.0,
         note="decide hands the work to the course evaluator: refused, task 1 scores 0"),
    Case("s3_star_on_the_bucket",
         {"task2-policy-answer": _S3_STAR},
         expected_score=31.0,
         note="s3:* on the bucket lets the job delete and overwrite the baseline: two hidden forbidden calls allowed (-1)"),
    Case("tls_rule_on_objects_only",
         {"task3-bucket-answer": _TLS_OBJECTS_ONLY},
         expected_score=31.5,
         note="the TLS deny names only bucket/*, so ListBucket over HTTP on the bucket itself gets through (-0.5)"),
    Case("encrypt_for_writes",
         {"task4-kms-answer": 'READ_NEEDS = "kms:Decrypt"\nWRITE_NEEDS = "kms:Encrypt"\nROTATION_ON = True\nFIX = "C"\n'},
         expected_score=30.0,
         note="S3 writes ask KMS for a data key (kms:GenerateDataKey), never kms:Encrypt; and a new customer "
              "managed key does not rotate: -2"),
    Case("nat_gateway_instead_of_endpoints",
         {"task5-fix-answer": _NAT},
         expected_score=30.0,
         note="a NAT route: logs stays blocked by its endpoint's security group (private DNS sends it there), "
              "ECR and CloudWatch go over the internet, and the internet is open: 5b scores 0 of 2"),
    Case("first_caller_not_the_change",
         {"task6-audit-answer": 'WHO_CHANGED = "arn:aws:sts::123456789012:assumed-role/MLEngineer/maria"\n'
                                'CHANGED_AT = "2026-01-05T00:12:00Z"\n'
                                'DENIED = ["DeleteEndpoint", "UpdateEndpointWeightsAndCapacities"]\n'},
         expected_score=30.0,
         note="takes maria's DescribeEndpoint (a read) as the change: -2"),
    Case("exam_all_a",
         {"task7-exam-answer": "\n".join(f'{name} = "A"' for name in (
             "ROLE_NOT_KEYS", "PRESIGNED_URL", "OWN_KEYS", "ISOLATE_TRAINING", "OFF_THE_INTERNET", "BLOCK_ONE_IP",
             "FIND_PII", "WHO_DELETED", "BEDROCK_PRIVATE", "REJECTED_TRAFFIC", "NO_TRACKING", "CROSS_ACCOUNT",
             "ENVELOPE", "VOLUME_KEY", "MASK_EMAIL")) + "\n"},
         expected_score=27.2,
         note="the same letter everywhere: three of fifteen right (1.2 of 6)"),
]
