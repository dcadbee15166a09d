"""Typer's option values without importing pydantic for the plain ones (issue 13: household commands).

Typer 0.29 coerces every option value through a pydantic TypeAdapter, which it builds, importing pydantic, for
each parameter of the command that runs, even one left at its default (None). Importing pydantic costs more CPU
than `import typer` itself (docs/performance.md, "Household commands"). Here a parameter's coercion is built only
when a value needs it:
- no value (None) is None, as typer's own `RuntimeParam.coerce` returns it before coercing;
- a default of the option's own type (`int` or `str`) is itself;
- a `str` option's text is that text (typer's `_parse_cli_str` returns a str as it is);
- an `int` option written as plain digits is `int(text)`, which is what pydantic's lax int gives for it;
- a `Path` given as text is `Path(text)`, and a `list[Path]` given as texts (import FILE...) the list of them,
  as pydantic's path validator gives them (no `exists=` or other check is declared on any of them).
Every other value (a sign, spaces, `1.0`, a path, a list, a bounded number, a custom parser) goes to typer's own
coercion, built as typer builds it, so its results and its error messages are typer's.

This leans on typer's private `typer.core.build_runtime_param`; if a typer release moves it, `install` does
nothing and typer works as it always does (only slower).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

_DIGITS = re.compile(r"[0-9]{1,18}")


def _is_paths(annotation: Any, value: Any) -> bool:
    """A `list[Path]` parameter given as texts."""
    return (
        get_origin(annotation) is list
        and get_args(annotation) == (Path,)
        and isinstance(value, (list, tuple))
        and all(isinstance(v, str) for v in value)
    )


def install() -> None:
    """Make typer build each parameter's coercion lazily (see the module's note)."""
    try:
        import typer.core as core
        from typer._coercion import RuntimeParam
    except ImportError:  # another typer: nothing to do
        return
    original = getattr(core, "build_runtime_param", None)
    if original is None or getattr(original, "_basis_ledger", False):
        return

    @dataclass(frozen=True)
    class LazyRuntimeParam(RuntimeParam):
        descriptor: Any = None
        _built: list[Any] = field(default_factory=list)

        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            info = self.parameter_info
            plain = getattr(info, "parser", None) is None and getattr(info, "click_type", None) is None
            bounded = getattr(info, "min", None) is not None or getattr(info, "max", None) is not None
            if plain and not bounded and self.annotation in (str, int) and type(value) is self.annotation:
                return value  # a default of its own type (ratio places 5): pydantic returns it as it is
            if plain and not bounded and _is_paths(self.annotation, value):
                return [Path(v) for v in value]  # a list of paths (import FILE...): what pydantic gives for it
            if plain and isinstance(value, str):
                if self.annotation is str:
                    return value
                if self.annotation is Path:
                    return Path(value)
                if self.annotation is int and not bounded and _DIGITS.fullmatch(value):
                    return int(value)
            if not self._built:
                self._built.append(original(self.descriptor))
            return self._built[0]._coerce_value(value, param=param, ctx=ctx)

    def lazy(descriptor: Any) -> Any:
        if descriptor.file_annotation is not None:  # files are opened by typer's own coercion, as before
            return original(descriptor)
        return LazyRuntimeParam(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor
        )

    lazy._basis_ledger = True  # type: ignore[attr-defined]
    core.build_runtime_param = lazy
