"""The OpenAPI document as the server's rule book: route a request to its operation and check it.

A small validator for the JSON-schema subset the contract uses (type, nullable, required, properties,
additionalProperties, enum, min/maxLength, pattern, formats date-time/uuid/byte, items, $ref). The
document, not the handler code, says what a valid request is.
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

_TYPES = {"string": str, "integer": int, "number": (int, float), "boolean": bool, "object": dict, "array": list}


class ContractViolation(Exception):
    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


@cache
def spec() -> dict[str, Any]:
    return json.loads(resources.files("kiosk.central").joinpath("openapi.json").read_text(encoding="utf-8"))


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        extra = {k: v for k, v in node.items() if k != "$ref"}
        target: Any = spec()
        for part in node["$ref"].lstrip("#/").split("/"):
            target = target[part]
        node = {**target, **extra}
    return node


def validate(value: Any, schema: dict[str, Any], where: str = "body") -> None:
    schema = _resolve(schema)
    if value is None:
        if schema.get("nullable"):
            return
        raise ContractViolation(f"{where}: must not be null")
    tp = schema.get("type")
    if tp:
        py = _TYPES[tp]
        if isinstance(value, bool) and tp in ("integer", "number") or not isinstance(value, py):
            raise ContractViolation(f"{where}: expected {tp}")
    if "enum" in schema and value not in schema["enum"]:
        raise ContractViolation(f"{where}: must be one of {', '.join(map(str, schema['enum']))}")
    if isinstance(value, str):
        _check_string(value, schema, where)
    elif isinstance(value, dict):
        for name in schema.get("required", []):
            if name not in value:
                raise ContractViolation(f"{where}.{name}: required")
        props = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            unknown = sorted(set(value) - set(props))
            if unknown:
                raise ContractViolation(f"{where}: unknown field {unknown[0]}")
        for name, sub in props.items():
            if name in value:
                validate(value[name], sub, f"{where}.{name}")
    elif isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{where}[{i}]")


def _check_string(value: str, schema: dict[str, Any], where: str) -> None:
    if len(value) < schema.get("minLength", 0):
        raise ContractViolation(f"{where}: too short")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise ContractViolation(f"{where}: longer than {schema['maxLength']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise ContractViolation(f"{where}: does not match {schema['pattern']}")
    fmt = schema.get("format")
    try:
        if fmt == "date-time":
            if datetime.fromisoformat(value).tzinfo is None:
                raise ValueError
        elif fmt == "uuid":
            uuid.UUID(value)
        elif fmt == "byte":
            base64.b64decode(value, validate=True)
    except (ValueError, binascii.Error):
        raise ContractViolation(f"{where}: not a valid {fmt}") from None


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    template: str
    regex: re.Pattern[str]
    definition: dict[str, Any]

    @property
    def parameters(self) -> list[dict[str, Any]]:
        return [_resolve(p) for p in self.definition.get("parameters", [])]

    @property
    def public(self) -> bool:
        return self.definition.get("security") == []

    def body_schema(self) -> dict[str, Any] | None:
        body = self.definition.get("requestBody")
        return body["content"]["application/json"]["schema"] if body else None


@cache
def operations() -> tuple[Operation, ...]:
    out = []
    for template, item in spec()["paths"].items():
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template) + "$")
        for method, definition in item.items():
            out.append(Operation(definition["operationId"], method.upper(), template, regex, definition))
    return tuple(out)


def match(method: str, path: str) -> tuple[Operation, dict[str, str]]:
    """The operation for a request, with its path parameters; 404/405 as ContractViolation."""
    allowed = False
    for op in operations():
        m = op.regex.match(path)
        if m:
            if op.method == method:
                return op, m.groupdict()
            allowed = True
    raise ContractViolation("method not allowed" if allowed else "no such path", 405 if allowed else 404)


def check_request(
    op: Operation, path_params: dict[str, str], query: dict[str, str], headers, body: Any
) -> None:
    """Raise ContractViolation (400) when a parameter or the body breaks the contract."""
    for p in op.parameters:
        name, where = p["name"], p["in"]
        source = {"path": path_params, "query": query}.get(where)
        value = headers.get(name) if where == "header" else source.get(name) if source is not None else None
        if value is None:
            if p.get("required"):
                raise ContractViolation(f"{where} parameter {name}: required")
            continue
        validate(value, p["schema"], f"{where} parameter {name}")
    schema = op.body_schema()
    if schema is not None:
        validate(body, schema, "body")
