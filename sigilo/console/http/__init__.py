"""The console's HTTP service (Sanic): a JSON API with an OpenAPI document and a small
server-rendered page. ``python -m sigilo.console.http --port 8090``."""
