"""The OpenAPI description of the error shape (``core.api_errors`` renders it), for every app's views'
``extend_schema(responses=…)``."""

from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """The error shape of every API response with a 4xx/5xx status."""

    code = serializers.CharField()
    message = serializers.CharField()
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))
