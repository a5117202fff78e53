"""Reachability from the VPC configuration stored in moto: routes, gateway vs interface
endpoints, security groups (stateful), NACLs (stateless, ordered), endpoint policies, isolation."""

import json

import pytest

from monitorlab.account.sandbox import Sandbox
from monitorlab.security import network as N


@pytest.fixture(scope="module")
def vpc():
    with Sandbox() as sb:
        ec2 = sb.client("ec2")
        yield ec2, N.create_private_vpc(ec2)


def reach(ec2, ids, destination, port=443, **kw):
    return N.reach(ec2, subnet_id=ids["SubnetIds"][0], security_group_ids=[ids["SecurityGroupId"]],
                   destination=destination, port=port, **kw)


def test_private_subnet_reaches_nothing_until_endpoints_are_added(vpc):
    ec2, ids = vpc
    for destination in ("s3", "sagemaker.api", "internet", "ecr.dkr"):
        result = reach(ec2, ids, destination)
        assert not result.reachable and "no route" in result.blocked_by
    assert "gateway endpoint" in reach(ec2, ids, "s3").blocked_by
    assert "com.amazonaws.us-east-1.ecr.dkr" in reach(ec2, ids, "ecr.dkr").blocked_by


def test_gateway_endpoint_for_s3_and_its_policy(vpc):
    ec2, ids = vpc
    endpoint = ec2.create_vpc_endpoint(VpcId=ids["VpcId"], ServiceName="com.amazonaws.us-east-1.s3",
                                       VpcEndpointType="Gateway", RouteTableIds=[ids["RouteTableId"]])["VpcEndpoint"]
    result = reach(ec2, ids, "s3")
    assert result.reachable and result.path.startswith(f"gateway endpoint {endpoint['VpcEndpointId']} (route pl-")
    only_capture = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                                            "Resource": "arn:aws:s3:::capture/*"}]}
    ec2.modify_vpc_endpoint(VpcEndpointId=endpoint["VpcEndpointId"], PolicyDocument=json.dumps(only_capture))
    assert reach(ec2, ids, "s3", request=("s3:GetObject", "arn:aws:s3:::capture/a")).reachable
    blocked = reach(ec2, ids, "s3", request=("s3:GetObject", "arn:aws:s3:::other-bucket/a"))
    assert not blocked.reachable and "endpoint policy" in blocked.blocked_by


def test_interface_endpoint_needs_its_security_group_to_admit_the_job(vpc):
    ec2, ids = vpc
    closed = ec2.create_security_group(GroupName="ep-closed", Description="no ingress", VpcId=ids["VpcId"])["GroupId"]
    ec2.create_vpc_endpoint(VpcId=ids["VpcId"], ServiceName="com.amazonaws.us-east-1.sagemaker.api",
                            VpcEndpointType="Interface", SubnetIds=ids["SubnetIds"], SecurityGroupIds=[closed],
                            PrivateDnsEnabled=True)
    result = reach(ec2, ids, "sagemaker.api")
    assert not result.reachable and "endpoint's security groups" in result.blocked_by
    ec2.authorize_security_group_ingress(GroupId=closed, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                                                         "UserIdGroupPairs": [{"GroupId": ids["SecurityGroupId"]}]}])
    assert reach(ec2, ids, "sagemaker.api").path.endswith("(PrivateLink)")
    assert "443 only" in reach(ec2, ids, "sagemaker.api", port=8080).blocked_by
    assert not reach(ec2, ids, "sagemaker.runtime").reachable        # one endpoint per service


def test_nacl_is_stateless_ordered_and_needs_ephemeral_ports(vpc):
    ec2, ids = vpc
    entries = [{"RuleNumber": 100, "Egress": True, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0",
                "PortRange": {"From": 443, "To": 443}},
               {"RuleNumber": 90, "Egress": False, "RuleAction": "deny", "Protocol": "-1", "CidrBlock": "203.0.113.0/24"},
               {"RuleNumber": 100, "Egress": False, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0",
                "PortRange": {"From": 1024, "To": 65535}}]
    assert N.nacl_decision(entries, egress=True, cidr="198.51.100.1", port=443) == (True, "rule 100 (allow)")
    assert N.nacl_decision(entries, egress=True, cidr="198.51.100.1", port=80) == (False, "the final * rule (deny)")
    assert N.nacl_decision(entries, egress=False, cidr="203.0.113.5", port=2000) == (False, "rule 90 (deny)")   # lower number first
    assert N.nacl_decision(entries, egress=False, cidr="198.51.100.1", port=2000) == (True, "rule 100 (allow)")
    # a custom NACL that allows 443 out but forgets the return traffic blocks S3 through the gateway
    acl = ec2.create_network_acl(VpcId=ids["VpcId"])["NetworkAcl"]["NetworkAclId"]
    ec2.create_network_acl_entry(NetworkAclId=acl, RuleNumber=100, Protocol="6", RuleAction="allow", Egress=True,
                                 CidrBlock="0.0.0.0/0", PortRange={"From": 443, "To": 443})
    subnet = ids["SubnetIds"][0]
    current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
    association = next(a["NetworkAclAssociationId"] for a in current["Associations"] if a["SubnetId"] == subnet)
    new_association = ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)["NewAssociationId"]
    try:
        result = reach(ec2, ids, "s3")
        assert not result.reachable and "stateless" in result.blocked_by and "inbound return traffic" in result.blocked_by
    finally:
        ec2.replace_network_acl_association(AssociationId=new_association, NetworkAclId=current["NetworkAclId"])


def test_internet_needs_a_nat_gateway_and_isolation_blocks_everything():
    with Sandbox() as sb:
        ec2 = sb.client("ec2")
        ids = N.create_private_vpc(ec2, cidr="10.1.0.0/16")
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=ids["VpcId"])
        ec2.create_route(RouteTableId=ids["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
        assert "no public IP" in reach(ec2, ids, "internet").blocked_by
        nat = ec2.create_nat_gateway(SubnetId=ids["SubnetIds"][1])["NatGateway"]["NatGatewayId"]
        ec2.replace_route(RouteTableId=ids["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
        assert reach(ec2, ids, "internet").path == f"NAT gateway {nat} (over the internet)"
        assert reach(ec2, ids, "sts").reachable                        # public AWS endpoints over the NAT too
        assert "no egress rule" in reach(ec2, ids, "198.51.100.7", port=80).blocked_by      # SG allows 443 only
        isolated = reach(ec2, ids, "s3", network_isolation=True)
        assert not isolated.reachable and isolated.blocked_by.startswith("EnableNetworkIsolation")
        with pytest.raises(ValueError, match="security_group_ids"):
            N.reach(ec2, subnet_id=ids["SubnetIds"][0], security_group_ids=[], destination="s3")
