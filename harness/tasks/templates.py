"""Jinja2 prompt templates with strict variables, so a typo fails instead of rendering blank."""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from harness.errors import HarnessError
from harness.tasks.text_filters import FILTERS


@functools.cache
def _environment() -> jinja2.Environment:
    # Autoescape off: prompts are plain text, not HTML. StrictUndefined: a missing field is an error.
    environment = jinja2.Environment(
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True, autoescape=False
    )
    environment.filters.update(FILTERS)
    return environment


@functools.cache
def _compile(template: str) -> jinja2.Template:
    return _environment().from_string(template)


def render(template: str, doc: dict[str, Any], *, where: str) -> str:
    """Render ``template`` with the doc's fields; errors name the template and the fields known."""
    try:
        return _compile(template).render(**doc)
    except jinja2.UndefinedError as exc:
        raise HarnessError(
            f"{where}: template variable error ({exc.message}); the doc has fields: {', '.join(sorted(doc))}"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise HarnessError(
            f"{where}: template syntax error on line {exc.lineno} ({exc.message}); fix the template"
        ) from None
    except Exception as exc:  # a template expression that fails on this doc (e.g. a bad index)
        raise HarnessError(
            f"{where}: template failed on a doc ({type(exc).__name__}: {exc}); fix the template"
        ) from None


@functools.cache
def _compile_expression(expression: str) -> Any:
    return _environment().compile_expression(expression, undefined_to_none=False)


def evaluate(expression: str, doc: dict[str, Any], *, where: str) -> Any:
    """The value (not the text) of a Jinja expression over the doc's fields: ``label | int``."""
    try:
        return _compile_expression(expression)(**doc)
    except jinja2.UndefinedError as exc:
        raise HarnessError(
            f"{where}: expression variable error ({exc.message}); the doc has fields: {', '.join(sorted(doc))}"
        ) from None
    except jinja2.TemplateSyntaxError as exc:
        raise HarnessError(f"{where}: expression syntax error ({exc.message}); fix it") from None
    except Exception as exc:  # an expression that fails on this doc (a bad index)
        raise HarnessError(
            f"{where}: expression failed on a doc ({type(exc).__name__}: {exc}); fix it"
        ) from None
