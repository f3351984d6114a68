# Platforms, API keys and the ingestion log (the platform API issue).
