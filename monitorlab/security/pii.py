"""Personal data: find it in requests, and mask it before Data Capture writes it to S3.

Data Capture stores every request as sent. If requests carry names, e-mails or card numbers,
the capture bucket becomes a store of personal data. The fix is upstream: transform the payload
before the endpoint sees it (or before capture), with one of four techniques (AWS whitepaper
"Navigating GDPR compliance on AWS"; Glue "Detect and process sensitive data"):

- **redaction** (``redact``): replace the value with its type, ``[EMAIL]``; irreversible;
- **hashing** (``hash``): HMAC-SHA256 with a secret key (kept in Secrets Manager, never in code):
  equal inputs give equal outputs, so joins and counts still work; irreversible without the key
  and, unlike a bare SHA-256, not guessable by hashing candidate values;
- **tokenisation** (``tokenise``): a random token and a vault that maps it back; reversible by
  whoever holds the vault;
- **generalisation** (``generalise``): coarser values (age 37 -> ``"30-39"``, ZIP 98109 ->
  ``"981**"``): keeps the statistics monitoring needs.

Finding is by pattern (e-mail, US SSN, phone, card number with the Luhn check, IPv4), as Amazon
Macie's managed data identifiers and Glue's Detect PII do for these types. Macie only *finds* PII
in S3; Glue's Detect PII transform can also mask it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import re

PATTERNS = {
    "EMAIL": re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}"),
    "US_SSN": re.compile(r"\b\d{3}-\d{2}-\d{4}\b"),
    "CREDIT_CARD": re.compile(r"\b(?:\d[ -]?){13,16}\b"),
    "PHONE": re.compile(r"(?<!\d)\+?1?[ (.-]*\d{3}[ ).-]*\d{3}[ .-]\d{4}\b"),
    "IP_ADDRESS": re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b"),
}
METHODS = ("redact", "hash", "tokenise", "generalise")


def luhn_ok(number: str) -> bool:
    """The Luhn checksum every payment card number satisfies (ISO/IEC 7812)."""
    digits = [int(d) for d in re.sub(r"\D", "", number)][::-1]
    total = sum(d if i % 2 == 0 else (2 * d - 9 if d > 4 else 2 * d) for i, d in enumerate(digits))
    return len(digits) >= 13 and total % 10 == 0


def find_pii(text: str) -> list[dict]:
    """Every PII match in ``text``: ``{"type", "start", "end", "value"}``, in text order.
    Card numbers must pass the Luhn check; an SSN is not also reported as a phone number."""
    found, taken = [], set()
    for kind in ("EMAIL", "US_SSN", "CREDIT_CARD", "PHONE", "IP_ADDRESS"):
        for match in PATTERNS[kind].finditer(str(text)):
            span = set(range(match.start(), match.end()))
            if span & taken or (kind == "CREDIT_CARD" and not luhn_ok(match.group())):
                continue
            taken |= span
            found.append({"type": kind, "start": match.start(), "end": match.end(), "value": match.group()})
    return sorted(found, key=lambda f: f["start"])


def hash_value(value, key: bytes) -> str:
    """HMAC-SHA256 of the value under ``key``, hex, first 16 characters (64 bits)."""
    if not key:
        raise ValueError("key: hashing needs a secret key (read it from Secrets Manager)")
    return hmac.new(key, str(value).encode(), hashlib.sha256).hexdigest()[:16]


def generalise(value, *, width: int = 10) -> str:
    """A number to its band (``37 -> "30-39"``); a string of digits keeps its first 3 (``981**``)."""
    if isinstance(value, (int, float)):
        low = int(value // width * width)
        return f"{low}-{low + width - 1}"
    text = str(value)
    return text[:3] + "*" * max(len(text) - 3, 0)


class Masker:
    """Mask chosen fields of records (and PII found in free text) with one method each.

    ``rules`` maps a field to a method in :data:`METHODS`; ``free_text`` fields are scanned with
    :func:`find_pii` and each match redacted. ``key`` is the HMAC key for ``hash``; ``vault``
    keeps token -> original for ``tokenise`` (seeded tokens: same run, same tokens).
    """

    def __init__(self, rules: dict[str, str], *, key: bytes = b"", free_text=(), seed: int = 0):
        bad = {f: m for f, m in rules.items() if m not in METHODS}
        if bad:
            raise ValueError(f"rules {bad}: each method must be one of {METHODS}")
        if "hash" in rules.values() and not key:
            raise ValueError("key: a 'hash' rule needs the HMAC key (e.g. from Secrets Manager)")
        self.rules, self.key, self.free_text = dict(rules), key, tuple(free_text)
        self.vault: dict[str, object] = {}
        self._rng = random.Random(seed)

    def _token(self, value) -> str:
        token = f"tok_{self._rng.getrandbits(48):012x}"
        self.vault[token] = value
        return token

    def mask_value(self, field: str, value):
        method = self.rules[field]
        if method == "redact":
            return f"[{field.upper()}]"
        if method == "hash":
            return hash_value(value, self.key)
        if method == "tokenise":
            return self._token(value)
        return generalise(value)

    def mask(self, record: dict) -> dict:
        """A masked copy of one record (a dict); unknown fields are kept as they are."""
        out = dict(record)
        for field in self.rules:
            if field in out and out[field] is not None:
                out[field] = self.mask_value(field, out[field])
        for field in self.free_text:
            if isinstance(out.get(field), str):
                text = out[field]
                for hit in reversed(find_pii(text)):
                    text = text[:hit["start"]] + f"[{hit['type']}]" + text[hit["end"]:]
                out[field] = text
        return out


def secret_key(secretsmanager, secret_id: str, field: str = "hmac_key") -> bytes:
    """The HMAC key stored as JSON in a Secrets Manager secret (``GetSecretValue``)."""
    value = json.loads(secretsmanager.get_secret_value(SecretId=secret_id)["SecretString"])
    if field not in value:
        raise ValueError(f"secret {secret_id!r} has no {field!r} field: store {{\"{field}\": \"...\"}}")
    return value[field].encode()
