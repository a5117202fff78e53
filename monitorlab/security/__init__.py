"""Security (module 10): what moto stores but does not enforce, evaluated by the engine.

- :mod:`.iam`: IAM policy evaluation (identity, resource, boundary, SCP, KMS key policies), the
  policies read back from moto, a linter (parliament) and least-privilege checks;
- :mod:`.kms`: envelope encryption with ``generate_data_key`` and AES-GCM, key rotation, and the
  KMS permissions an SSE-KMS read or write needs;
- :mod:`.network`: reachability in a VPC (routes, gateway and interface endpoints, security
  groups, NACLs, network isolation) from the configuration stored in moto;
- :mod:`.audit`: every API call made through a sandbox recorded as a CloudTrail event, delivered
  as CloudTrail log files to S3, and queried;
- :mod:`.pii`: finding and masking personal data before it is captured.

Builds on account and serving; imports nothing from operations (the other top layer).
"""
