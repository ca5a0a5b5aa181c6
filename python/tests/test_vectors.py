"""The shared key vectors, from Python: every vector of core/tests/vectors/keys.json that a Python
value can express, and every Python-form vector of python.json (KEYS.md, "Python values")."""

import json
import pathlib
from datetime import datetime, timedelta, timezone

import pytest

from cashier import build_key

VECTORS = pathlib.Path(__file__).resolve().parents[2] / "core" / "tests" / "vectors"
SHARED = json.loads((VECTORS / "keys.json").read_text(encoding="utf-8"))
PYTHON = json.loads((VECTORS / "python.json").read_text(encoding="utf-8"))
MAX_SAFE = 2**53


class NotExpressible(Exception):
    """No Python value has this form (undefined, a small BigInt, an invalid date...)."""


def frozen(value):
    """`value` as a dict key or set element: lists become tuples (which key as lists)."""
    if isinstance(value, list):
        return tuple(frozen(v) for v in value)
    if isinstance(value, set):
        return frozenset(value)
    if isinstance(value, dict):
        raise NotExpressible("a dict cannot be a dict key or set element")
    return value


def number(v):
    return {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf"), "-0": -0.0}.get(v, v) if isinstance(v, str) else float(v)


def python_value(arg):
    """The Python value whose key form is the tagged `arg`, or NotExpressible."""
    t, v = arg["t"], arg.get("v")
    if t == "null":
        return None
    if t == "undefined":
        raise NotExpressible("undefined")
    if t == "bool":
        return v
    if t == "number":
        return number(v)
    if t == "bigint":
        n = int(v)
        if abs(n) <= MAX_SAFE:
            raise NotExpressible("an int this small is a number")
        return n
    if t == "string":
        if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
            raise NotExpressible("a lone surrogate")
        return v
    if t == "bytes":
        return bytes.fromhex(v)
    if t == "date":
        if v == "NaN":
            raise NotExpressible("an invalid date")
        try:
            return datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(milliseconds=v)
        except OverflowError:
            raise NotExpressible("beyond datetime's years 1-9999") from None
    if t == "list":
        return [python_value(x) for x in v]
    if t == "object":
        out = {k: python_value(x) for k, x in v}
        if len(out) != len(v):
            raise NotExpressible("a repeated key")
        return out
    if t == "map":
        if all(k["t"] == "string" for k, _ in v):
            raise NotExpressible("a dict with only str keys is an object")
        out = {frozen(python_value(k)): python_value(x) for k, x in v}
        if len(out) != len(v):
            raise NotExpressible("keys Python finds equal (1, 1.0, True)")
        return out
    if t == "set":
        out = {frozen(python_value(x)) for x in v}
        if len(out) != len(v):
            raise NotExpressible("elements Python finds equal")
        return out
    raise AssertionError(f"unknown tag {t}")


def options(vector):
    given = vector.get("options", {})
    out = {}
    if "prefix" in given:
        out["prefix"] = given["prefix"]
    if "version" in given:
        out["version"] = given["version"]
    if "cacheWith" in given:
        out["cache_with"] = given["cacheWith"]
    if "maxKeyBytes" in given:
        out["max_key_bytes"] = given["maxKeyBytes"]
    return out


def expressible(vector):
    try:
        return [python_value(a) for a in vector["args"]]
    except NotExpressible:
        return None


def test_most_shared_vectors_are_checked_from_python():
    checked = [v for v in SHARED["vectors"] if expressible(v) is not None]
    assert len(checked) >= 70, f"only {len(checked)} of {len(SHARED['vectors'])} shared vectors expressible"


@pytest.mark.parametrize("vector", SHARED["vectors"], ids=lambda v: v["about"])
@pytest.mark.parametrize("serializer", ["repr", "md5", "sha256"])
def test_shared_vector(vector, serializer):
    args = expressible(vector)
    if args is None:
        pytest.skip("no Python value has this form")
    assert build_key(vector["name"], args, serializer=serializer, **options(vector)) == vector[serializer]


ERRORS = {
    "EmptyName": ValueError,
    "InvalidName": ValueError,
    "InvalidVersion": ValueError,
    "DuplicateSelection": ValueError,
    "TooLong": ValueError,
    "TooDeep": TypeError,
}


@pytest.mark.parametrize("vector", [v for v in SHARED["errors"] if v.get("only") != "rust"], ids=lambda v: v["about"])
def test_shared_error_vector(vector):
    args = expressible(vector)
    assert args is not None, vector["about"]
    with pytest.raises(ERRORS[vector["error"]]) as raised:
        build_key(vector["name"], args, **options(vector))
    assert str(raised.value).startswith("cashier: ")


SCOPE = {"datetime": datetime, "timezone": timezone, "timedelta": timedelta}


@pytest.mark.parametrize("vector", PYTHON["vectors"], ids=lambda v: v["about"])
@pytest.mark.parametrize("serializer", ["repr", "md5", "sha256"])
def test_python_vector(vector, serializer):
    args = eval(vector["python"], dict(SCOPE))  # noqa: S307 - the vectors file of this repo
    assert build_key(vector["name"], args, serializer=serializer) == vector[serializer]


@pytest.mark.parametrize("vector", PYTHON["errors"], ids=lambda v: v["about"])
def test_python_error_vector(vector):
    args = eval(vector["python"], dict(SCOPE))  # noqa: S307
    expected = {"TypeError": TypeError, "ValueError": ValueError}[vector["exception"]]
    with pytest.raises(expected) as raised:
        build_key(vector["name"], args, **options(vector))
    assert str(raised.value).startswith("cashier: ")
