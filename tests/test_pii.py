"""PII: found by pattern (with the Luhn check), masked four ways before capture."""

import json

import pytest

from monitorlab.account.sandbox import Sandbox
from monitorlab.security import pii


def test_find_pii_types_and_luhn():
    text = "mail ana@example.com, ssn 123-45-6789, card 4111 1111 1111 1111, bad 4111 1111 1111 1112, ip 10.0.1.25"
    found = [(f["type"], f["value"]) for f in pii.find_pii(text)]
    assert found == [("EMAIL", "ana@example.com"), ("US_SSN", "123-45-6789"),
                     ("CREDIT_CARD", "4111 1111 1111 1111"), ("IP_ADDRESS", "10.0.1.25")]
    assert pii.luhn_ok("4111111111111111") and not pii.luhn_ok("4111111111111112")
    assert [f["type"] for f in pii.find_pii("call +1 (206) 555-0100")] == ["PHONE"]


def test_four_masking_methods():
    masker = pii.Masker({"email": "hash", "name": "redact", "card": "tokenise", "age": "generalise", "zip": "generalise"},
                        key=b"k" * 32, free_text=["note"], seed=3)
    record = {"email": "ana@example.com", "name": "Ana", "card": "4111111111111111", "age": 37, "zip": "98109",
              "note": "reach me at ana@example.com", "hours_per_week": 40}
    out = masker.mask(record)
    assert out["name"] == "[NAME]" and out["age"] == "30-39" and out["zip"] == "981**"
    assert out["email"] == pii.hash_value("ana@example.com", b"k" * 32) != pii.hash_value("ana@example.com", b"x")
    assert len(out["email"]) == 16 and masker.vault[out["card"]] == "4111111111111111"
    assert out["note"] == "reach me at [EMAIL]" and out["hours_per_week"] == 40
    assert pii.Masker({"card": "tokenise"}, seed=3).mask(record)["card"] == out["card"]     # seeded tokens
    with pytest.raises(ValueError, match="key"):
        pii.Masker({"email": "hash"})
    with pytest.raises(ValueError, match="one of"):
        pii.Masker({"email": "encrypt"})


def test_hmac_key_comes_from_secrets_manager():
    with Sandbox() as sb:
        sm = sb.client("secretsmanager")
        sm.create_secret(Name="monitorlab/pii", SecretString=json.dumps({"hmac_key": "s3cr3t"}))
        assert pii.secret_key(sm, "monitorlab/pii") == b"s3cr3t"
        with pytest.raises(ValueError, match="no 'pepper' field"):
            pii.secret_key(sm, "monitorlab/pii", field="pepper")
