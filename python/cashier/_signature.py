"""How a function's calls become key arguments: `CacheWith` and the binding plan."""

from __future__ import annotations

import inspect
import typing
from typing import Any, Callable, NamedTuple, Optional

__all__ = ["CacheWith", "Plan", "plan"]


class CacheWith:
    """Marks a parameter that takes part in the key: ``user_id: Annotated[int, CacheWith]``.

    When any parameter of a function is marked, only the marked ones are read to build the key,
    in signature order; the others are never read (a lock, a socket or a DB connection is fine
    there). When none is marked, every parameter takes part.
    """

    def __init__(self) -> None:  # pragma: no cover - used as a marker class, not instantiated
        pass


class Plan(NamedTuple):
    """The key arguments of one function: which parameters, and how calls are bound."""

    names: list  # the participating parameter names, in signature order
    bind: Callable[..., tuple]  # same parameters as the function; returns the participating values
    fast_arity: Optional[int]  # positional arity when the signature has plain positional params only
    positions: Optional[list]  # participating positions (None: all) for the positional fast path
    defaults: tuple  # the defaults of the last positional parameters, for the fast path


def _marked(annotation: Any) -> bool:
    if typing.get_origin(annotation) is not typing.Annotated:
        return False
    return any(meta is CacheWith or isinstance(meta, CacheWith) for meta in annotation.__metadata__)


def _annotations(fn: Callable, signature: inspect.Signature) -> dict:
    try:
        return typing.get_type_hints(fn, include_extras=True)
    except Exception:
        # Unresolvable forward references: fall back to the annotations as written.
        return {name: p.annotation for name, p in signature.parameters.items()}


def plan(fn: Callable) -> Plan:
    """The binding plan of `fn`: a generated function with `fn`'s parameters (kinds and
    defaults), so the interpreter itself normalizes keywords and applies defaults."""
    signature = inspect.signature(fn)
    hints = _annotations(fn, signature)
    params = list(signature.parameters.values())
    marked = [p.name for p in params if _marked(hints.get(p.name))]
    chosen = marked if marked else [p.name for p in params]

    # Defaults are referenced by names no parameter uses (the generated code has no other names).
    source, defaults, previous = [], {}, None
    for i, p in enumerate(params):
        local = p.name
        if previous is p.POSITIONAL_ONLY and p.kind is not p.POSITIONAL_ONLY:
            source.append("/")
        if p.kind is p.KEYWORD_ONLY and previous not in (p.KEYWORD_ONLY, p.VAR_POSITIONAL):
            source.append("*")
        text = {p.VAR_POSITIONAL: "*" + local, p.VAR_KEYWORD: "**" + local}.get(p.kind, local)
        if p.default is not p.empty:
            defaults[f"__cashier_default_{i}"] = p.default
            text += f"=__cashier_default_{i}"
        source.append(text)
        previous = p.kind
    if previous is inspect.Parameter.POSITIONAL_ONLY:
        source.append("/")
    index = {p.name: i for i, p in enumerate(params)}
    returned = "".join(f"{name}, " for name in chosen)
    code = f"def bind({', '.join(source)}):\n    return ({returned})\n"
    namespace: dict = dict(defaults)
    exec(code, namespace)  # noqa: S102 - generated from parameter kinds only, never user text
    bind = namespace["bind"]
    # A call that does not fit the signature fails in `bind` first: name the user's function.
    name = getattr(fn, "__name__", "function")
    bind.__name__, bind.__qualname__ = name, getattr(fn, "__qualname__", name)
    try:
        bind.__code__ = bind.__code__.replace(co_name=name)
    except (TypeError, ValueError):  # pragma: no cover - names code objects cannot take
        pass

    plain = all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params)
    fast_arity = len(params) if plain else None
    positions = [index[name] for name in chosen] if marked else None
    trailing = tuple(p.default for p in params if p.default is not p.empty) if plain else ()
    return Plan(chosen, bind, fast_arity, positions, trailing)
