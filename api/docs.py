"""/api/docs/: the API's endpoints and their parameters, read from the OpenAPI schema
and drawn by the portal itself (no CDN, no script), so it works wherever the portal does.
"""

import functools

from django.shortcuts import render
from django.views.decorators.http import require_safe
from drf_spectacular.generators import SchemaGenerator


@functools.cache
def schema():
    """The schema as /api/schema/ serves it; the code it reads changes only on deploy."""
    return SchemaGenerator().get_schema(request=None, public=True)


def endpoints(document):
    """[{path, summary, description, parameters}] of every GET, in the schema's order."""
    found = []
    for path, operations in document["paths"].items():
        operation = operations.get("get")
        if operation is None:
            continue
        parameters = [
            {
                "name": parameter["name"],
                "where": parameter["in"],
                "type": _type(parameter.get("schema", {})),
                "description": parameter.get("description", ""),
            }
            for parameter in operation.get("parameters", [])
        ]
        found.append(
            {
                "path": path,
                "id": operation.get("operationId", path),
                "description": operation.get("description", ""),
                "parameters": parameters,
            }
        )
    return found


def _type(parameter_schema):
    if parameter_schema.get("type") == "array":
        return f"{_type(parameter_schema.get('items', {}))}, repeated"
    if "enum" in parameter_schema:
        return " | ".join(str(value) for value in parameter_schema["enum"])
    return parameter_schema.get("type", "string")


@require_safe
def api_docs(request):
    document = schema()
    return render(
        request,
        "api/docs.html",
        {"info": document["info"], "endpoints": endpoints(document)},
    )
