"""What the schema says about refusals, which drf-spectacular does not describe itself:
each GET may answer 400 (a parameter refused: its name with the messages), 404 (by id
or slug) and 429 (over API_RATE, with Retry-After), each a JSON object."""

ERROR_SCHEMAS = {
    "Error": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ParameterErrors": {
        "type": "object",
        "description": "Each refused parameter with what it should be.",
        "additionalProperties": {"type": "array", "items": {"type": "string"}},
    },
}


def _json(name, description, **extra):
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
        **extra,
    }


def add_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook (SPECTACULAR_SETTINGS)."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.update(ERROR_SCHEMAS)
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/"):
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", _json("ParameterErrors", "A parameter was refused."))
            if "{" in path:
                responses.setdefault("404", _json("Error", "No such published item."))
            responses.setdefault(
                "429",
                _json(
                    "Error",
                    "Over the limit of requests per client (API_RATE).",
                    headers={
                        "Retry-After": {
                            "description": "Seconds to wait.",
                            "schema": {"type": "integer"},
                        }
                    },
                ),
            )
    return result
