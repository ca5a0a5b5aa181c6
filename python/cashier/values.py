"""`json_values`: the value format of the npm package's `jsonValues`, so Python and Node
processes read each other's cached values in Redis.

JSON, plus tags for what JSON cannot carry: ``{"$t":"bigint","v":"…"}`` (an int beyond ±2^53),
``{"$t":"number","v":"NaN"|"Infinity"|"-Infinity"|"-0"}``, ``{"$t":"date","v":ms|null}``
(a datetime), ``{"$t":"map","v":[[k,v]…]}`` (a dict with a non-str key), ``{"$t":"set","v":[…]}``,
``{"$t":"bytes","v":base64}``, ``{"$t":"undefined"}`` (read as None), and ``{"$t":"object","v":{…}}``
(a dict that has a "$t" key itself).

Python reads: a JS number → int when integral and written without a fraction, else float; a
BigInt → int; a Date → an aware UTC datetime; a Map → dict and a Set → set (list members become
tuples, so they can be keys and members). Values it cannot write are a TypeError: the cache then
computes as usual and does not store them.
"""

from __future__ import annotations

import base64
import json
import math
import re
from datetime import datetime, timedelta, timezone
from typing import Any

__all__ = ["json_values", "JsonValues"]

_MAX_SAFE = 2**53
_MAX_TIME = 8.64e15
_BIGINT = re.compile(r"0|-?[1-9][0-9]*", re.ASCII)
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_NUMBER_TAGS = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}


def _ms(value: datetime) -> int:
    delta = value - (_EPOCH if value.utcoffset() is not None else _EPOCH.replace(tzinfo=None))
    micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
    if micros % 1000:
        raise TypeError("json_values: a datetime with microseconds cannot be stored: JavaScript dates hold milliseconds")
    return micros // 1000


def _encode(value: Any, depth: int) -> Any:
    if depth > 512:
        raise TypeError("json_values: values nest deeper than 512 levels")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value) if -_MAX_SAFE <= value <= _MAX_SAFE else {"$t": "bigint", "v": str(int(value))}
    if isinstance(value, float):
        if math.isnan(value):
            return {"$t": "number", "v": "NaN"}
        if math.isinf(value):
            return {"$t": "number", "v": "Infinity" if value > 0 else "-Infinity"}
        if value == 0 and math.copysign(1.0, value) < 0:
            return {"$t": "number", "v": "-0"}
        return value
    if isinstance(value, (list, tuple)):
        return [_encode(item, depth + 1) for item in value]
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            out = {key: _encode(item, depth + 1) for key, item in value.items()}
            return {"$t": "object", "v": out} if "$t" in out else out
        return {"$t": "map", "v": [[_encode(k, depth + 1), _encode(v, depth + 1)] for k, v in value.items()]}
    if isinstance(value, (set, frozenset)):
        return {"$t": "set", "v": [_encode(item, depth + 1) for item in value]}
    if isinstance(value, datetime):
        return {"$t": "date", "v": _ms(value)}
    if isinstance(value, (bytes, bytearray)):
        return {"$t": "bytes", "v": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError(f"json_values: a {type(value).__name__} cannot be stored; give RedisStorage a serializer for it")


def _foreign(what: str) -> TypeError:
    return TypeError(f"json_values: {what} is not a form this serializer writes")


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, (dict, set)):
        raise _foreign("a map key or set member that is a map, object or set")
    return value


def _fields(record: dict, tag: str, names: tuple) -> None:
    if set(record) != set(names):
        raise _foreign(f'a "{tag}" tag with the fields {sorted(record)}')


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if not isinstance(value, dict):
        if isinstance(value, float) and (math.isinf(value) or (value == 0 and math.copysign(1.0, value) < 0)):
            raise _foreign(f"the JSON number {value}")
        return value
    if "$t" not in value:
        return {key: _decode(item) for key, item in value.items()}
    tag = value["$t"]
    if tag == "undefined":
        _fields(value, tag, ("$t",))
        return None
    _fields(value, tag, ("$t", "v"))
    v = value["v"]
    if tag == "number":
        if not isinstance(v, str) or v not in _NUMBER_TAGS:
            raise _foreign(f"the number tag {v!r}")
        return _NUMBER_TAGS[v]
    if tag == "bigint":
        if not isinstance(v, str) or not _BIGINT.fullmatch(v):
            raise _foreign(f"the bigint tag {v!r}")
        return int(v)
    if tag == "date":
        if v is None:
            raise _foreign("an invalid date (no datetime stands for it)")
        if isinstance(v, bool) or not isinstance(v, int) or abs(v) > _MAX_TIME:
            raise _foreign(f"the date tag {v!r}")
        return _EPOCH + timedelta(milliseconds=v)
    if tag == "map":
        if not isinstance(v, list):
            raise _foreign('a "map" tag whose v is not a list')
        out = {}
        for entry in v:
            if not isinstance(entry, list) or len(entry) != 2:
                raise _foreign("a map entry that is not a [key, value] pair")
            out[_hashable(_decode(entry[0]))] = _decode(entry[1])
        if len(out) != len(v):
            raise _foreign("a map with a repeated key")
        return out
    if tag == "set":
        if not isinstance(v, list):
            raise _foreign('a "set" tag whose v is not a list')
        out = {_hashable(_decode(item)) for item in v}
        if len(out) != len(v):
            raise _foreign("a set with a repeated member")
        return out
    if tag == "bytes":
        if not isinstance(v, str):
            raise _foreign(f"the bytes tag {v!r}")
        try:
            data = base64.b64decode(v, validate=True)
        except ValueError:
            raise _foreign("invalid base64") from None
        if base64.b64encode(data).decode("ascii") != v:
            raise _foreign("non-canonical base64")
        return data
    if tag == "object":
        if not isinstance(v, dict) or "$t" not in v:
            raise _foreign("an object tag whose v is not an object with a $t property")
        return {key: _decode(item) for key, item in v.items()}
    raise TypeError(f"json_values: unknown tag {tag!r}")


class JsonValues:
    """Values ⇄ text in the npm package's `jsonValues` format (see the module doc)."""

    def serialize(self, value: Any) -> str:
        return json.dumps(_encode(value, 0), ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    def deserialize(self, text: str) -> Any:
        return _decode(json.loads(text))


json_values = JsonValues()
