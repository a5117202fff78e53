"""Can a job in this subnet reach S3, an AWS API or the internet, and if not, what blocks it?

moto stores VPCs, subnets, route tables, security groups, NACLs and VPC endpoints faithfully
(MOTO.md) but models no traffic. :func:`reach` reads that configuration back with ``describe_*``
calls and walks a request the way AWS would (VPC User Guide: "Route tables", "Security groups",
"Network ACLs", "Gateway endpoints", "Interface endpoints"; SageMaker Developer Guide: "Run
training and processing jobs in a VPC", "Network isolation"):

1. ``EnableNetworkIsolation``: the container makes no outbound call at all (SageMaker itself
   moves the S3 input and output), so nothing is reachable from inside it;
2. the path: an interface endpoint with private DNS for the service (PrivateLink), else for S3 a
   gateway endpoint on the subnet's route table, else the subnet's default route. A NAT gateway
   route reaches the internet (and public AWS endpoints over it); an internet gateway route does
   not help a SageMaker job, whose network interface has no public IP (we chose to model that);
3. the security groups of the job (stateful: egress checked, return traffic allowed), and of an
   interface endpoint (its ingress must admit the job on 443);
4. the subnet's NACL when the traffic leaves the subnet (stateless: outbound to the destination
   port AND inbound return traffic on the ephemeral ports 1024-65535; rules in number order, first
   match decides, no match is the final ``*`` deny);
5. the endpoint policy, when a request (action, resource) is given: evaluated with :mod:`.iam`.

The destination is a service short name (``"s3"``, ``"sagemaker.api"``, ``"sagemaker.runtime"``,
``"sts"``, ``"monitoring"``, ``"logs"``, ``"ecr.api"``, ``"ecr.dkr"``, ...) or ``"internet"`` /
an IPv4 address. AWS APIs are reached on 443.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from monitorlab.security import iam as iam_eval

EPHEMERAL = (1024, 65535)
ANY_IP = "0.0.0.0/0"
#: AWS public address the engine uses for "a public AWS endpoint / the internet" (TEST-NET-3).
PUBLIC_IP = "203.0.113.10"


@dataclass(frozen=True)
class Reachability:
    """``reachable``; ``path`` (how the packet goes); ``blocked_by`` (the setting, or None)."""

    destination: str
    port: int
    reachable: bool
    path: str
    blocked_by: str | None = None

    def __str__(self) -> str:
        if self.reachable:
            return f"{self.destination}:{self.port} reachable via {self.path}"
        return f"{self.destination}:{self.port} NOT reachable: {self.blocked_by}"


def service_name(region: str, service: str) -> str:
    """``com.amazonaws.<region>.<service>``, the VPC endpoint service name."""
    return f"com.amazonaws.{region}.{service}"


def _route_table(ec2, subnet_id: str, vpc_id: str) -> dict:
    tables = ec2.describe_route_tables(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["RouteTables"]
    if not tables:
        tables = [t for t in ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
                  if any(a.get("Main") for a in t.get("Associations", []))]
    return tables[0]


def _default_target(table: dict) -> str | None:
    """The target of the 0.0.0.0/0 route (``nat-...``, ``igw-...``), or None."""
    for route in table.get("Routes", []):
        if route.get("DestinationCidrBlock") == ANY_IP:
            return route.get("NatGatewayId") or route.get("GatewayId") or route.get("NetworkInterfaceId")
    return None


def _port_in(rule: dict, port: int, protocol: str) -> bool:
    proto = str(rule.get("IpProtocol", rule.get("Protocol", "-1")))
    if proto == "-1":
        return True
    if proto not in (protocol, {"tcp": "6", "udp": "17"}.get(protocol)):
        return False
    low = rule.get("FromPort", rule.get("PortRange", {}).get("From", 0))
    high = rule.get("ToPort", rule.get("PortRange", {}).get("To", 65535))
    return low <= port <= high


def _cidr_covers(cidr: str, target: str) -> bool:
    return ipaddress.ip_network(target, strict=False).subnet_of(ipaddress.ip_network(cidr, strict=False))


def _sg_allows(rules: list[dict], port: int, *, cidr: str, prefix_list: str | None = None,
               groups: tuple = (), protocol: str = "tcp") -> bool:
    """Some rule admits ``cidr`` (or the prefix list, or a member of ``groups``) on ``port``."""
    for rule in rules:
        if not _port_in(rule, port, protocol):
            continue
        if any(_cidr_covers(r["CidrIp"], cidr) for r in rule.get("IpRanges", [])):
            return True
        if prefix_list and any(p["PrefixListId"] == prefix_list for p in rule.get("PrefixListIds", [])):
            return True
        if any(p.get("GroupId") in groups for p in rule.get("UserIdGroupPairs", [])):
            return True
    return False


def nacl_decision(entries: list[dict], *, egress: bool, cidr: str, port: int, protocol: str = "tcp") -> tuple[bool, str]:
    """First matching rule in rule-number order decides; no match is the final ``*`` deny."""
    for entry in sorted((e for e in entries if e["Egress"] == egress), key=lambda e: e["RuleNumber"]):
        if entry["RuleNumber"] == 32767:
            break
        if _port_in(entry, port, protocol) and _cidr_covers(entry["CidrBlock"], cidr):
            return entry["RuleAction"] == "allow", f"rule {entry['RuleNumber']} ({entry['RuleAction']})"
    return False, "the final * rule (deny)"


def _nacl_check(ec2, subnet_id: str, cidr: str, port: int) -> str | None:
    acl = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet_id]}])["NetworkAcls"][0]
    ok, rule = nacl_decision(acl["Entries"], egress=True, cidr=cidr, port=port)
    if not ok:
        return f"network ACL {acl['NetworkAclId']} outbound to {cidr} port {port}: {rule}"
    for eph in EPHEMERAL:
        ok, rule = nacl_decision(acl["Entries"], egress=False, cidr=cidr, port=eph)
        if not ok:
            return (f"network ACL {acl['NetworkAclId']} inbound return traffic from {cidr} on ephemeral "
                    f"port {eph}: {rule} (NACLs are stateless: allow 1024-65535 back in)")
    return None


def _endpoints(ec2, vpc_id: str, name: str) -> list[dict]:
    found = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                {"Name": "service-name", "Values": [name]}])["VpcEndpoints"]
    return [e for e in found if e.get("State", "available").lower() == "available"]


def _endpoint_policy(endpoint: dict, request, principal: str | None) -> str | None:
    if request is None or not endpoint.get("PolicyDocument"):
        return None
    action, resource = request[:2]
    context = {"aws:PrincipalArn": principal or "", **(request[2] if len(request) > 2 else {})}
    decision = iam_eval.evaluate(action, resource, identity_policies=None,
                                 resource_policy=endpoint["PolicyDocument"], context=context,
                                 principal_account=iam_eval._account_of(principal or "") or iam_eval.DEFAULT_ACCOUNT)
    return None if decision.allowed else f"the endpoint policy of {endpoint['VpcEndpointId']}: {decision.reason}"


def reach(ec2, *, subnet_id: str, security_group_ids, destination: str, port: int = 443,
          network_isolation: bool = False, request: tuple | None = None,
          principal_arn: str | None = None) -> Reachability:
    """Walk one outbound connection from a job's network interface (see the module docstring).

    ``request``: optional ``(action, resource[, context])`` checked against a VPC endpoint's policy.
    """
    if not security_group_ids:
        raise ValueError("security_group_ids: a job in a VPC has at least one security group")
    out = lambda ok, path, why=None: Reachability(destination, port, ok, path, why)  # noqa: E731
    if network_isolation:
        return out(False, "none", "EnableNetworkIsolation: the container makes no outbound calls "
                   "(SageMaker itself copies the S3 input and output)")
    subnet = ec2.describe_subnets(SubnetIds=[subnet_id])["Subnets"][0]
    vpc_id, region = subnet["VpcId"], ec2.meta.region_name
    groups = ec2.describe_security_groups(GroupIds=list(security_group_ids))["SecurityGroups"]
    egress = [r for g in groups for r in g.get("IpPermissionsEgress", [])]
    table = _route_table(ec2, subnet_id, vpc_id)
    is_ip = destination.replace(".", "").isdigit()
    service = None if destination == "internet" or is_ip else destination

    if service:
        interface = [e for e in _endpoints(ec2, vpc_id, service_name(region, service))
                     if e.get("VpcEndpointType") == "Interface" and e.get("PrivateDnsEnabled", True)]
        if interface:
            return _via_interface(ec2, interface[0], subnet, egress, groups, port, request, principal_arn, out)
        if service == "s3":
            gateway = [e for e in _endpoints(ec2, vpc_id, service_name(region, "s3"))
                       if e.get("VpcEndpointType") == "Gateway" and table["RouteTableId"] in e.get("RouteTableIds", [])]
            if gateway:
                return _via_gateway(ec2, gateway[0], subnet_id, egress, port, request, principal_arn, out)
    target = _default_target(table)
    label = service or destination
    if target is None or not str(target).startswith("nat-"):
        hint = (f"add an interface endpoint {service_name(region, service)}" if service and service != "s3"
                else "add an S3 gateway endpoint on this route table" if service == "s3" else
                "the subnet is private: only a NAT gateway would reach the internet")
        why = ("route table %s sends 0.0.0.0/0 to %s, but a SageMaker job's interface has no public IP"
               % (table["RouteTableId"], target)) if target else f"route table {table['RouteTableId']} has no route to {label}"
        return out(False, "none", f"{why}: {hint}")
    dest_ip = destination if is_ip else PUBLIC_IP
    if not _sg_allows(egress, port, cidr=dest_ip):
        return out(False, "none", f"security groups {list(security_group_ids)}: no egress rule to {dest_ip} port {port}")
    blocked = _nacl_check(ec2, subnet_id, dest_ip, port)
    if blocked:
        return out(False, "none", blocked)
    return out(True, f"NAT gateway {target} (over the internet)")


def _via_interface(ec2, endpoint, subnet, egress, groups, port, request, principal, out) -> Reachability:
    cidr = subnet["CidrBlock"]
    if port != 443:
        return out(False, "none", f"interface endpoint {endpoint['VpcEndpointId']} serves HTTPS on 443 only")
    if not _sg_allows(egress, port, cidr=cidr, groups=tuple(g["GroupId"] for g in endpoint.get("Groups", []))):
        return out(False, "none", f"the job's security groups allow no egress to the endpoint on {port}")
    ep_groups = ec2.describe_security_groups(GroupIds=[g["GroupId"] for g in endpoint.get("Groups", [])])["SecurityGroups"]
    ingress = [r for g in ep_groups for r in g.get("IpPermissions", [])]
    if not _sg_allows(ingress, port, cidr=cidr, groups=tuple(g["GroupId"] for g in groups)):
        return out(False, "none", f"the endpoint's security groups {[g['GroupId'] for g in ep_groups]} "
                   f"admit nothing from {cidr} on {port}")
    crosses = subnet["SubnetId"] not in endpoint.get("SubnetIds", [])   # same subnet: no NACL on the way
    blocked = (crosses and _nacl_check(ec2, subnet["SubnetId"], cidr, port)) or _endpoint_policy(endpoint, request, principal)
    if blocked:
        return out(False, "none", blocked)
    return out(True, f"interface endpoint {endpoint['VpcEndpointId']} (PrivateLink)")


def _via_gateway(ec2, endpoint, subnet_id, egress, port, request, principal, out) -> Reachability:
    lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [endpoint["ServiceName"]]}])["PrefixLists"]
    prefix = lists[0]["PrefixListId"] if lists else None
    if not _sg_allows(egress, port, cidr=PUBLIC_IP, prefix_list=prefix):
        return out(False, "none", f"the job's security groups allow no egress to S3 ({prefix}) on {port}")
    blocked = _nacl_check(ec2, subnet_id, PUBLIC_IP, port) or _endpoint_policy(endpoint, request, principal)
    if blocked:
        return out(False, "none", blocked)
    return out(True, f"gateway endpoint {endpoint['VpcEndpointId']} (route {prefix})")


def reachability_table(ec2, *, subnet_id: str, security_group_ids, destinations, network_isolation=False):
    """:func:`reach` for several ``(destination, port)`` pairs, as a DataFrame."""
    import pandas as pd

    rows = [reach(ec2, subnet_id=subnet_id, security_group_ids=security_group_ids, destination=d,
                  port=p, network_isolation=network_isolation) for d, p in destinations]
    return pd.DataFrame([{"destination": r.destination, "port": r.port, "reachable": r.reachable,
                          "path": r.path, "blocked_by": r.blocked_by} for r in rows])


def create_private_vpc(ec2, *, cidr: str = "10.0.0.0/16", name: str = "monitorlab") -> dict:
    """A VPC with two private subnets (no route to the internet), one route table for them and a
    security group for jobs that allows HTTPS out only. Returns the ids. No endpoints yet: the
    lessons add them (and see what each one makes reachable)."""
    net = ipaddress.ip_network(cidr)
    if net.prefixlen > 20:
        raise ValueError(f"cidr {cidr!r}: use a /20 or larger network so two /24 subnets fit")
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ec2.create_tags(Resources=[vpc], Tags=[{"Key": "Name", "Value": name}])
    blocks = list(net.subnets(new_prefix=24))
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=str(blocks[i]), AvailabilityZone=f"{ec2.meta.region_name}{z}")["Subnet"]["SubnetId"]
               for i, z in ((1, "a"), (2, "b"))]
    table = ec2.create_route_table(VpcId=vpc)["RouteTable"]["RouteTableId"]
    for subnet in subnets:
        ec2.associate_route_table(RouteTableId=table, SubnetId=subnet)
    group = ec2.create_security_group(GroupName=f"{name}-jobs", Description="SageMaker jobs: HTTPS out only",
                                      VpcId=vpc)["GroupId"]
    ec2.revoke_security_group_egress(GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": ANY_IP}]}])
    ec2.authorize_security_group_egress(GroupId=group, IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                                                                       "IpRanges": [{"CidrIp": ANY_IP}]}])
    return {"VpcId": vpc, "SubnetIds": subnets, "RouteTableId": table, "SecurityGroupId": group}
