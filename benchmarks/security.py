"""How fast is the security engine? IAM decisions per second, and one reachability check.

The evaluator answers least-privilege tables and lab checks, a few hundred requests at a time;
target: >= 5,000 decisions per second for the lecture's monitoring-job policy against the capture
bucket policy. One `network.reach` walks several describe_* calls on moto; target <= 0.5 s after
moto's EC2 backend is warm. Figures and ratios are printed, never asserted.

Run: .venv/bin/python benchmarks/security.py
"""

from __future__ import annotations

import timeit

from monitorlab.account.sandbox import Sandbox
from monitorlab.security import iam, network

CAP = "arn:aws:s3:::capture"
POLICY = {"Version": "2012-10-17", "Statement": [
    {"Sid": "ReadInputs", "Effect": "Allow", "Action": "s3:GetObject", "Resource": [f"{CAP}/datacapture/*", f"{CAP}/baseline/*"]},
    {"Sid": "WriteReports", "Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{CAP}/reports/*"}]}
BUCKET = {"Version": "2012-10-17", "Statement": [
    {"Sid": "TLS", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [CAP, f"{CAP}/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}},
    {"Sid": "Vpce", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": [CAP, f"{CAP}/*"],
     "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}}]}
CONTEXT = {"aws:PrincipalArn": "arn:aws:iam::111122223333:role/Job", "aws:SecureTransport": "true", "aws:SourceVpce": "vpce-1"}


def decisions_per_second(n: int = 2000) -> float:
    keys = [f"{CAP}/datacapture/2026/01/05/{i % 24:02d}/{i}.jsonl" for i in range(n)]

    def run():
        for key in keys:
            iam.evaluate("s3:GetObject", key, identity_policies=POLICY, resource_policy=BUCKET, context=CONTEXT)
    return n / min(timeit.repeat(run, number=1, repeat=3))


def reach_seconds() -> float:
    with Sandbox() as sb:
        ec2 = sb.client("ec2")
        ids = network.create_private_vpc(ec2)
        ec2.create_vpc_endpoint(VpcId=ids["VpcId"], VpcEndpointType="Gateway", RouteTableIds=[ids["RouteTableId"]],
                                ServiceName=network.service_name("us-east-1", "s3"))
        call = lambda: network.reach(ec2, subnet_id=ids["SubnetIds"][0], security_group_ids=[ids["SecurityGroupId"]],  # noqa: E731
                                     destination="s3")
        return min(timeit.repeat(call, number=1, repeat=5))


if __name__ == "__main__":
    rate = decisions_per_second()
    print(f"iam.evaluate: {rate:,.0f} decisions/s (target >= 5,000: {rate / 5000:.1f}x)")
    seconds = reach_seconds()
    print(f"network.reach to S3 via the gateway endpoint: {seconds * 1000:.0f} ms (target <= 500 ms: {0.5 / seconds:.1f}x)")
