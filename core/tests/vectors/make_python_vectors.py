#!/usr/bin/env python3
"""Writes python.json: key vectors for the Python forms of core/KEYS.md ("Python values").

Each vector holds a Python expression (`python`, evaluated with `datetime`, `timezone` and
`timedelta` in scope) that gives the argument list, the same arguments as tagged `ARG`s (the
format of keys.json), and the expected keys. The Rust test (`tests/key_vectors.rs`) builds the
tagged form; the Python test (`python/tests/test_vectors.py`) evaluates the expression: both
must give these exact keys, which pins the Python → key mapping to the core. Every `repr` is
written by hand from KEYS.md; `md5`/`sha256` are computed here with hashlib.
Run: `python3 core/tests/vectors/make_python_vectors.py`.
"""
import hashlib, json, pathlib

def num(v): return {"t": "number", "v": v}
def big(v): return {"t": "bigint", "v": v}
def s(v): return {"t": "string", "v": v}
def b(v): return {"t": "bytes", "v": v}
def date(v): return {"t": "date", "v": v}
def lst(*v): return {"t": "list", "v": list(v)}
def obj(*pairs): return {"t": "object", "v": [[k, v] for k, v in pairs]}
def mp(*pairs): return {"t": "map", "v": [[k, v] for k, v in pairs]}
def st(*v): return {"t": "set", "v": list(v)}
NULL = {"t": "null"}
T = {"t": "bool", "v": True}
F = {"t": "bool", "v": False}

V = []  # (about, python, args, repr)
def vec(about, python, args, repr):
    V.append((about, python, args, repr))

E = []  # (about, python, name, options, exception)
def err(about, python, exception, name="f", **options):
    E.append((about, python, name, options, exception))

vec("an int is a number", "[1, -7, 0]", [num(1), num(-7), num(0)], "f(1,-7,0)")
vec("int and float of one value share a key, as in JavaScript", "[1, 1.0]", [num(1), num(1.0)], "f(1,1)")
vec("2**53 is still a number", "[2**53, -2**53]", [num(2**53), num(-2**53)], "f(9007199254740992,-9007199254740992)")
vec("beyond 2**53 an int is a BigInt", "[2**53 + 1, -2**53 - 1]", [big(str(2**53 + 1)), big(str(-2**53 - 1))], "f(9007199254740993n,-9007199254740993n)")
vec("a huge int is a BigInt", "[10**30]", [big(str(10**30))], "f(1000000000000000000000000000000n)")
vec("bool is not int", "[True, 1, False, 0]", [T, num(1), F, num(0)], "f(true,1,false,0)")
vec("None is null", "[None]", [NULL], "f(null)")
vec("float specials", "[float('nan'), -0.0, float('inf'), float('-inf'), 0.1]",
    [num("NaN"), num("-0"), num("Infinity"), num("-Infinity"), num(0.1)], "f(NaN,0,Infinity,-Infinity,0.1)")
vec("str with escapes", "['a\"b\\\\c\\n\\x7f']", [s('a"b\\c\n\x7f')], 'f("a\\"b\\\\c\\n\\u{7f}")')
vec("a tuple is a list", "[(1, 'a'), (1, (2,)), ()]", [lst(num(1), s("a")), lst(num(1), lst(num(2))), lst()], 'f([1,"a"],[1,[2]],[])')
vec("a list and a tuple of the same items share a key", "[[1, 'a']]", [lst(num(1), s("a"))], 'f([1,"a"])')
vec("bytes and bytearray", "[b'\\x00\\xff', bytearray(b'\\x01\\x02'), b'']", [b("00ff"), b("0102"), b("")], 'f(b"00ff",b"0102",b"")')
vec("a dict with str keys is an object, in key order", "[{'b': 1, 'a': [None]}, {}]",
    [obj(("b", num(1)), ("a", lst(NULL))), obj()], 'f({"a":[null],"b":1},{})')
vec("a dict with any other key is a Map", "[{1: 'a', 'b': 2}]", [mp((num(1), s("a")), (s("b"), num(2)))], 'f(Map{"b"=>2,1=>"a"})')
vec("a dict with tuple keys is a Map of lists", "[{(1, 2): None}]", [mp((lst(num(1), num(2)), NULL))], "f(Map{[1,2]=>null})")
vec("set and frozenset are sets, in encoding order", "[{3, 1, 2}, frozenset({'b', 'a'}), set()]",
    [st(num(3), num(1), num(2)), st(s("b"), s("a")), st()], 'f(Set{1,2,3},Set{"a","b"},Set{})')
vec("a naive datetime reads as UTC", "[datetime(1970, 1, 1, 0, 0, 1), datetime(2000, 1, 1)]",
    [date(1000), date(946684800000)], "f(Date(1000),Date(946684800000))")
vec("an aware datetime keys by its instant", "[datetime(2020, 1, 1, 2, 0, tzinfo=timezone(timedelta(hours=2))), datetime(2020, 1, 1, tzinfo=timezone.utc)]",
    [date(1577836800000), date(1577836800000)], "f(Date(1577836800000),Date(1577836800000))")
vec("a datetime with whole milliseconds", "[datetime(1970, 1, 1, 0, 0, 0, 5000), datetime(1969, 12, 31, 23, 59, 59)]",
    [date(5), date(-1000)], "f(Date(5),Date(-1000))")

err("an arbitrary object", "[object()]", "TypeError")
err("a sub-millisecond datetime", "[datetime(1970, 1, 1, 0, 0, 0, 1)]", "TypeError")
err("a date without a time", "[datetime(2020, 1, 1).date()]", "TypeError")
err("129 nested tuples", "[__import__('functools').reduce(lambda inner, _: (inner,), range(129), ())]", "TypeError")
err("a str with a lone surrogate", "['\\ud800']", "TypeError")
err("a parenthesis in the name", "[]", "ValueError", name="f(x)")
err("a space in the version", "[]", "ValueError", version="1 0")

def keyed(name, repr, algo):
    return name + ":" + hashlib.new(algo, repr.encode("utf-8")).hexdigest()

out = {"format": 1, "vectors": [], "errors": []}
for about, python, args, repr in V:
    out["vectors"].append({"about": about, "python": python, "name": "f", "args": args,
                           "repr": repr, "md5": keyed("f", repr, "md5"), "sha256": keyed("f", repr, "sha256")})
for about, python, name, options, exception in E:
    out["errors"].append({"about": about, "python": python, "name": name, "options": options, "exception": exception})

path = pathlib.Path(__file__).with_name("python.json")
path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"{len(V)} vectors, {len(E)} error vectors -> {path}")
