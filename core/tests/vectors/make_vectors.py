#!/usr/bin/env python3
"""Writes keys.json: the shared key vectors (format in core/KEYS.md).

Every expected `repr` below is written by hand from KEYS.md; the `md5`/`sha256` keys are
computed here with hashlib, independently of the Rust implementation. Run it after adding a
vector: `python3 core/tests/vectors/make_vectors.py`.
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
UNDEF = {"t": "undefined"}
T = {"t": "bool", "v": True}
F = {"t": "bool", "v": False}

V = []  # (about, name, args, options, repr)
def vec(about, args, repr, name="f", **options):
    V.append((about, name, args, options, repr))

# Scalars and the type tags that keep them apart.
vec("no arguments", [], 'f()')
vec("a number", [num(1)], 'f(1)')
vec("a string that looks like the number", [s("1")], 'f("1")')
vec("a BigInt is not a number", [big("1")], 'f(1n)')
vec("number, BigInt and string together", [num(1), big("1"), s("1")], 'f(1,1n,"1")')
vec("booleans", [T, F], 'f(true,false)')
vec("null", [NULL], 'f(null)')
vec("undefined", [UNDEF], 'f(undefined)')
vec("the string null is not null", [s("null")], 'f("null")')
vec("the string undefined is not undefined", [s("undefined")], 'f("undefined")')
vec("negative zero keys as zero", [num("-0")], 'f(0)')
vec("zero", [num(0)], 'f(0)')
vec("NaN", [num("NaN")], 'f(NaN)')
vec("the string NaN is not NaN", [s("NaN")], 'f("NaN")')
vec("infinities", [num("Infinity"), num("-Infinity")], 'f(Infinity,-Infinity)')
vec("a decimal fraction", [num(0.1)], 'f(0.1)')
vec("a negative fraction", [num(-1.5)], 'f(-1.5)')
vec("one third, shortest round trip", [num(1/3)], 'f(0.3333333333333333)')
vec("1e21 switches to exponent form", [num(1e21)], 'f(1e+21)')
vec("1e20 is written out", [num(1e20)], 'f(100000000000000000000)')
vec("1e-7 switches to exponent form", [num(1e-7)], 'f(1e-7)')
vec("1e-6 is written out", [num(0.000001)], 'f(0.000001)')
vec("smallest subnormal", [num(5e-324)], 'f(5e-324)')
vec("largest double", [num(1.7976931348623157e308)], 'f(1.7976931348623157e+308)')
vec("2^53", [num(9007199254740992)], 'f(9007199254740992)')
vec("2^60 as a double rounds its digits", [num(1152921504606846976)], 'f(1152921504606847000)')
vec("2^60 as a BigInt is exact", [big("1152921504606846976")], 'f(1152921504606846976n)')
vec("a large negative BigInt", [big("-123456789012345678901234567890")], 'f(-123456789012345678901234567890n)')
vec("BigInt zero", [big("0")], 'f(0n)')
vec("a fraction with many digits", [num(123456789.123)], 'f(123456789.123)')

# Strings: escaping and the collisions naive joining or JSON would make.
vec("empty string", [s("")], 'f("")')
vec("a comma inside one string", [s("a,b")], 'f("a,b")')
vec("two strings", [s("a"), s("b")], 'f("a","b")')
vec("a string that spells two quoted strings", [s('a","b')], 'f("a\\",\\"b")')
vec("double quotes are escaped", [s('say "hi"')], 'f("say \\"hi\\"")')
vec("backslashes are escaped", [s("C:\\path\\")], 'f("C:\\\\path\\\\")')
vec("a literal backslash-u escape in the text", [s("\\u{d800}")], 'f("\\\\u{d800}")')
vec("newline, carriage return, tab", [s("\n\r\t")], 'f("\\n\\r\\t")')
vec("other control characters and DEL", [s("\u0000\u001f\u007f\u0008")], 'f("\\u{0}\\u{1f}\\u{7f}\\u{8}")')
vec("characters above DEL are literal", [s("\u0080é漢字")], 'f("\u0080é漢字")')
vec("characters beyond the BMP are literal", [s("😀𝄞")], 'f("😀𝄞")')
vec("brackets and separators inside a string", [s('[1]{"a":1}=>)(,')], 'f("[1]{\\"a\\":1}=>)(,")')
vec("a long string", [s("x" * 300)], 'f("' + "x" * 300 + '")')

# Bytes and dates.
vec("empty bytes", [b("")], 'f(b"")')
vec("bytes as lowercase hex", [b("00ff10AB".lower())], 'f(b"00ff10ab")')
vec("bytes are not the string of their hex", [s("00ff")], 'f("00ff")')
vec("the epoch", [date(0)], 'f(Date(0))')
vec("a recent date", [date(1700000000000)], 'f(Date(1700000000000))')
vec("a date before the epoch", [date(-86400000)], 'f(Date(-86400000))')
vec("the latest date", [date(8.64e15)], 'f(Date(8640000000000000))')
vec("an invalid date", [date("NaN")], 'f(Date(NaN))')

# Lists.
vec("empty list", [lst()], 'f([])')
vec("nested lists", [lst(num(1), lst(num(2), lst(s("x"))))], 'f([1,[2,["x"]]])')
vec("two one-element lists", [lst(num(1)), lst(num(2))], 'f([1],[2])')
vec("one two-element list", [lst(num(1), num(2))], 'f([1,2])')
vec("undefined and null inside a list", [lst(UNDEF, NULL)], 'f([undefined,null])')
vec("deep nesting", [lst(lst(lst(lst(lst()))))], 'f([[[[[]]]]])')
vec("a list is not its JSON text", [s("[1,2]")], 'f("[1,2]")')

# Objects: order independence and code point ordering.
vec("empty object", [obj()], 'f({})')
vec("object keys sorted", [obj(("a", num(1)), ("b", num(2)))], 'f({"a":1,"b":2})')
vec("object insertion order does not matter", [obj(("b", num(2)), ("a", num(1)))], 'f({"a":1,"b":2})')
vec("object keys in code point order", [obj(("b", num(1)), ("a", num(2)), ("B", num(3)), ("_", num(4)), ("9", num(5)), ("10", num(6)), ("", num(7)))],
    'f({"":7,"10":6,"9":5,"B":3,"_":4,"a":2,"b":1})')
vec("beyond-BMP keys sort by code point, not UTF-16", [obj(("😀", num(1)), ("\uff61", num(2)))], 'f({"\uff61":2,"😀":1})')
vec("escaped keys sort by their raw text", [obj(("a\\", num(2)), ('a"b', num(1)))], 'f({"a\\"b":1,"a\\\\":2})')
vec("undefined property values are kept", [obj(("a", UNDEF))], 'f({"a":undefined})')
vec("nested request-like object", [obj(("id", num(7)), ("filter", obj(("tags", lst(s("x"), s("y"))), ("since", date(0)))))],
    'f({"filter":{"since":Date(0),"tags":["x","y"]},"id":7})')
vec("object holding a list vs its JSON text", [obj(("a", s("[1,2]")))], 'f({"a":"[1,2]"})')
vec("object holding a list", [obj(("a", lst(num(1), num(2))))], 'f({"a":[1,2]})')

# Maps and sets.
vec("empty map", [mp()], 'f(Map{})')
vec("a map is not an object", [mp((s("a"), num(1)))], 'f(Map{"a"=>1})')
vec("map entries sorted by encoded key", [mp((num(1), s("a")), (s("x"), NULL))], 'f(Map{"x"=>null,1=>"a"})')
vec("map with container keys", [mp((obj(("k", num(0))), s("b")), (lst(num(1)), s("a")))], 'f(Map{[1]=>"a",{"k":0}=>"b"})')
vec("map separators inside strings", [mp((s("a=>b"), s("}")))], 'f(Map{"a=>b"=>"}"})')
vec("map with BigInt and number keys", [mp((big("1"), s("big")), (num(1), s("num")))], 'f(Map{1=>"num",1n=>"big"})')
vec("empty set", [st()], 'f(Set{})')
vec("set elements sorted by encoding", [st(s("b"), num(1), s("a"))], 'f(Set{"a","b",1})')
vec("a set of two equal objects", [st(obj(), obj())], 'f(Set{{},{}})')
vec("a set of one object", [st(obj())], 'f(Set{{}})')
vec("containers inside an object", [obj(("s", st(num(2), num(1))), ("m", mp((s("k"), lst()))))], 'f({"m":Map{"k"=>[]},"s":Set{1,2}})')

# Names, versions, prefixes, selections.
vec("a qualified name", [num(7)], 'app.users.get(7)', name="app.users.get")
vec("a name beyond ASCII", [num(1)], 'café.ünïcödé(1)', name="café.ünïcödé")
vec("a name with a space and a hash", [], 'User#save bound()', name="User#save bound")
vec("a version", [num(1)], 'f@2(1)', version="2")
vec("a prefix", [num(1)], 'myapp:f(1)', prefix="myapp:")
vec("prefix and version", [num(1)], 'myapp:f@v1.2-beta_3(1)', prefix="myapp:", version="v1.2-beta_3")
vec("cacheWith leaves a parameter out", [s("request object"), num(5)], 'f(5)', cacheWith=[1])
vec("cacheWith fills a missing parameter with undefined", [num(1), num(2)], 'f(1,undefined)', cacheWith=[0, 2])
vec("cacheWith is ordered by position", [num(1), num(2), num(3)], 'f(1,3)', cacheWith=[2, 0])
vec("an empty cacheWith keys on the name only", [num(1), num(2)], 'f()', cacheWith=[])

E = []  # (about, name, args, options, error, only)
def err(about, args, error, name="f", only=None, **options):
    E.append((about, name, args, options, error, only))

err("empty name", [], "EmptyName", name="")
err("a parenthesis in the name", [], "InvalidName", name="f(x)")
err("an at sign in the name", [], "InvalidName", name="a@b")
err("a control character in the name", [], "InvalidName", name="f\n")
err("a parenthesis in the prefix", [], "InvalidName", prefix="p(")
err("a space in the version", [], "InvalidVersion", version="1 0")
err("an empty version", [], "InvalidVersion", version="")
err("a BigInt with a leading zero", [big("01")], "InvalidBigInt", only="rust")
err("a BigInt negative zero", [big("-0")], "InvalidBigInt", only="rust")
err("a fractional date", [date(0.5)], "InvalidDate", only="rust")
err("a date beyond the ECMAScript range", [date(8.64e15 + 1)], "InvalidDate", only="rust")
err("cacheWith names a position twice", [num(1)], "DuplicateSelection", cacheWith=[0, 0])
deep = lst()
for _ in range(128):
    deep = lst(deep)
err("129 nested lists", [deep], "TooDeep")
err("a key over maxKeyBytes", [s("x" * 100)], "TooLong", maxKeyBytes=50)

def keyed(name, options, canonical_repr, algo):
    prefix = options.get("prefix", "")
    label = name + ("@" + options["version"] if "version" in options else "")
    canonical = canonical_repr[len(prefix):]
    assert canonical.startswith(label + "("), canonical_repr
    return prefix + label + ":" + hashlib.new(algo, canonical.encode("utf-8")).hexdigest()

reprs = [v[4] for v in V]
out = {"format": 1, "vectors": [], "errors": []}
for about, name, args, options, repr in V:
    out["vectors"].append({"about": about, "name": name, "args": args, "options": options,
                           "repr": repr, "md5": keyed(name, options, repr, "md5"),
                           "sha256": keyed(name, options, repr, "sha256")})
for about, name, args, options, error, only in E:
    entry = {"about": about, "name": name, "args": args, "options": options, "error": error}
    if only:
        entry["only"] = only
    out["errors"].append(entry)

path = pathlib.Path(__file__).with_name("keys.json")
path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
print(f"{len(V)} vectors, {len(E)} error vectors -> {path}")
