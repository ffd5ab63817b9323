"""The OpenAPI 3.1 document of the public and organisation verification API."""

from __future__ import annotations

CODE = {
    "type": "string",
    "pattern": "^[0-9A-Za-z -]{13,32}$",
    "description": "Certificate code, XXXX-XXXX-XXXX-C (case, spaces and dashes are forgiven); "
    "a code whose check symbol fails is a typo: 400 with code `code_typo`.",
}
ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string", "description": "Stable, for programs."},
                "message": {
                    "type": "string",
                    "description": "For people, in the requested language.",
                },
            },
        }
    },
}
NULLABLE_STRING = {"type": ["string", "null"]}
CERTIFICATE = {
    "type": "object",
    "required": ["code", "status", "holder", "issuer", "edition", "status_as_of", "completed_on"],
    "properties": {
        "code": {"type": "string"},
        "status": {
            "type": "string",
            "enum": ["valid", "revoked", "replaced", "invalid", "unknown"],
        },
        "holder": NULLABLE_STRING,
        "issuer": {"type": "string"},
        "edition": {"type": ["integer", "null"]},
        "status_as_of": NULLABLE_STRING,
        "completed_on": NULLABLE_STRING,
        "issued_at": NULLABLE_STRING,
        "revoked_at": NULLABLE_STRING,
        "revoked_reason": NULLABLE_STRING,
        "replaced_by": NULLABLE_STRING,
        "superseded": {"type": "boolean"},
        "private_mode": {"type": "boolean"},
    },
}
RESULT = {
    "type": "object",
    "required": ["index", "code", "status", "holder", "edition", "completed_on", "identity"],
    "properties": {
        "index": {"type": "integer"},
        "code": NULLABLE_STRING,
        "status": {
            "type": "string",
            "enum": [
                "valid",
                "superseded",
                "revoked",
                "replaced",
                "invalid",
                "unknown",
                "code_format",
                "code_typo",
                "iin_format",
                "iin_check",
            ],
        },
        "holder": NULLABLE_STRING,
        "edition": {"type": ["integer", "null"]},
        "completed_on": NULLABLE_STRING,
        "identity": {"type": ["string", "null"], "enum": ["match", "no_match", "locked", None]},
    },
}
LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "schema": {"type": "string", "enum": ["kk", "ru"]},
    "description": "Language of error messages.",
}


def _errors(*statuses: int) -> dict:
    return {
        str(s): {"description": "An error", "content": {"application/json": {"schema": ERROR}}}
        for s in statuses
    }


def document(base_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Observer course: certificate verification",
            "version": "1.0.0",
            "description": "Check training certificates of election observers.",
        },
        "servers": [{"url": base_url}],
        "components": {
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer"}},
        },
        "paths": {
            "/api/v1/certificates/{code}": {
                "get": {
                    "summary": "A certificate's public status",
                    "parameters": [
                        {"name": "code", "in": "path", "required": True, "schema": CODE},
                        LANG,
                    ],
                    "responses": {
                        "200": {
                            "description": "Found",
                            "content": {"application/json": {"schema": CERTIFICATE}},
                        },
                        "404": {
                            "description": "No such code, in the same shape",
                            "content": {"application/json": {"schema": CERTIFICATE}},
                        },
                        **_errors(400, 429),
                    },
                }
            },
            "/api/v1/certificates/{code}/identity-check": {
                "post": {
                    "summary": "Whether an IIN matches the certificate's holder",
                    "parameters": [
                        {"name": "code", "in": "path", "required": True, "schema": CODE},
                        LANG,
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["iin"],
                                    "additionalProperties": False,
                                    "properties": {"iin": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "Checked",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["code", "result"],
                                        "properties": {
                                            "code": {"type": "string"},
                                            "result": {
                                                "type": "string",
                                                "enum": ["match", "no_match"],
                                            },
                                        },
                                    }
                                }
                            },
                        },
                        **_errors(400, 404, 429),
                    },
                }
            },
            "/api/v1/certificates/verify": {
                "post": {
                    "summary": "Verify up to 1,000 certificates (organisations' tokens)",
                    "security": [{"token": []}],
                    "parameters": [LANG],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["items"],
                                    "additionalProperties": False,
                                    "properties": {
                                        "items": {
                                            "type": "array",
                                            "minItems": 1,
                                            "maxItems": 1000,
                                            "items": {
                                                "type": "object",
                                                "required": ["code"],
                                                "additionalProperties": False,
                                                "properties": {
                                                    "code": {"type": "string"},
                                                    "iin": {"type": "string"},
                                                },
                                            },
                                        }
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": {
                            "description": "One result per item, in order",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["results"],
                                        "properties": {
                                            "results": {"type": "array", "items": RESULT}
                                        },
                                    }
                                }
                            },
                        },
                        **_errors(400, 401, 429),
                    },
                }
            },
        },
    }
